"""The desk charts (ui/charts.py): built from channel objects, each view's finished spec built once and shared by
every viewer of that view, and the specs still carry what the pages need (the county bars' click selection, number
formats, the data as Arrow datasets)."""
from __future__ import annotations

import json
import re

import altair as alt
import polars as pl
import pyarrow as pa
import pytest
from altair.utils import schemapi

from tests import app_store as fx
from tests.helpers import start_app
from ui import chart_specs, charts

PROGRESS = "pages/progress.py"  # two trends, two county bar charts, the monthly investment trend
RATE = "investment_completion_rate"


@pytest.fixture
def store(tmp_path, monkeypatch):
    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    chart_specs._cached_spec.clear()  # the cache is process-wide: each test starts without specs
    return s


@pytest.fixture
def built(monkeypatch) -> list[dict]:
    """Every spec ui/charts.py finishes (a view that was not cached yet), in order."""
    out: list[dict] = []
    finish = chart_specs.finish

    def counting(chart):
        out.append(finish(chart))
        return out[-1]

    monkeypatch.setattr(chart_specs, "finish", counting)
    return out


def chart_protos(at) -> list:
    return [e.proto for e in at.get("vega_lite_chart")]


def specs(at) -> list[dict]:
    return [json.loads(p.spec) for p in chart_protos(at)]


def arrow_rows(proto, name: str | None = None) -> pl.DataFrame:
    data = next(d.data.data for d in proto.datasets if name is None or d.name == name)
    return pl.from_arrow(pa.ipc.open_stream(data).read_all())


# ---- one spec per view, shared ----------------------------------------------------------------------------------
def test_a_second_viewer_of_the_same_view_gets_the_cached_specs(store, built):
    first = start_app(page=PROGRESS)
    n = len(built)
    assert n >= 5  # the overview app.py opens on, then the page's five charts
    second = start_app(page=PROGRESS)  # another session, the same view
    assert len(built) == n, "a second identical view built its charts again"
    assert [p.spec for p in chart_protos(second)] == [p.spec for p in chart_protos(first)]
    assert len(chart_protos(second)) == 5


def test_another_selection_or_language_builds_its_own_specs(store, built):
    plain = start_app(page=PROGRESS)
    n = len(built)
    jia = start_app({"county": ["甲县"]}, page=PROGRESS)
    assert len(built) > n  # the county filter is part of the key: never another selection's chart
    n = len(built)
    # the monthly investment trend of 甲县 is not the whole city's
    assert arrow_rows(chart_protos(jia)[-1]).to_dicts() != arrow_rows(chart_protos(plain)[-1]).to_dicts()
    english = start_app({"lang": "en"}, page=PROGRESS)
    assert len(built) > n
    assert "Investment completion rate" in specs(english)[0]["title"]["text"]
    assert specs(english)[0]["title"]["subtitle"] == "Red dashed line: time schedule"


# ---- what the pages need from the specs ---------------------------------------------------------------------------
def test_county_bars_carry_the_pick_selection_on_the_county(store):
    at = start_app(page=PROGRESS)
    bars = [p for p in chart_protos(at) if list(p.selection_mode)]
    assert [list(p.selection_mode) for p in bars] == [["pick"], ["pick"]]
    spec = json.loads(bars[0].spec)
    assert spec["params"][0]["name"] == "pick"
    assert spec["params"][0]["select"] == {"type": "point", "fields": ["组"]}
    assert sorted(arrow_rows(bars[0])["组"].to_list()) == sorted(fx.COUNTIES)


def test_specs_keep_their_formats(store):
    trend, *_ = specs(start_app(page=PROGRESS))
    line = trend["layer"][0]["encoding"]
    assert line["y"]["axis"]["format"] == ".0%"
    assert {t["field"]: t.get("format") for t in line["tooltip"]}["值"] == ".1%"
    assert trend["layer"][1]["encoding"]["y"]["field"] == "目标"  # 时序进度 as the dashed line
    assert trend["title"]["subtitle"] == "红色虚线：时序进度"  # said on the chart, not left to guess
    chain = start_app(page="pages/chain.py")
    money_proto = next(p for p in chart_protos(chain) if _title(json.loads(p.spec)).startswith("总投资"))
    money = json.loads(money_proto.spec)
    x = money["layer"][0]["encoding"]["x"]
    # by chain: 装备制造 80,000万元, 新材料 20,000 + 30,000, no chain 5,000 + 12,000 + 8,000 — in 亿元, as the
    # largest reaches 1亿
    assert x["title"] == "总投资（亿元）" and x["axis"]["format"] == ",~f"
    rows = arrow_rows(money_proto).sort("值", descending=True)
    assert rows["组"].to_list() == ["装备制造", "新材料", "（未归链）"] and rows["值"].to_list() == [8.0, 5.0, 2.5]
    assert {t["field"]: t.get("format") for t in money["layer"][0]["encoding"]["tooltip"]}["值"] == ",.1f"
    y = money["layer"][0]["encoding"]["y"]
    assert y["axis"]["labelOverlap"] is False  # every chain named, never every other one
    heat = next(s for s in specs(start_app())  # 总览's map (一张图) has the same legend: the heat table is not a geoshape
                if "对照目标" in json.dumps(s, ensure_ascii=False) and "geoshape" not in json.dumps(s))
    color = heat["layer"][0]["encoding"]["color"]
    assert color["legend"]["title"] == "对照目标" and "format" not in color["legend"]  # standings, not values
    assert color["scale"]["domain"] == ["达标", "接近目标", "差距较大", "无目标"]


def _title(spec: dict) -> str:
    title = spec.get("title", "")
    return title["text"] if isinstance(title, dict) else title


def test_specs_hold_their_data_as_arrow_datasets_never_inline(store):
    for proto in chart_protos(start_app(page=PROGRESS)):
        text = proto.spec
        assert '"datasets"' not in text and '"values"' not in text  # the data travels beside the spec, as Arrow
        used = set(re.findall(r'"data": \{"name": "(data-[0-9a-f]+)"\}', text))
        assert used and used == {d.name for d in proto.datasets}
        assert all(arrow_rows(proto, name).height for name in used)


def test_a_spec_is_validated_in_the_tests_and_not_on_the_server(monkeypatch):
    """The suite checks every chart it draws against the schema; the server builds a new view's spec without it."""
    bad = alt.Chart(pl.DataFrame({"a": [1]}), height="tall").mark_bar().encode(alt.X("a:Q"))  # no such height
    with pytest.raises(schemapi.SchemaValidationError):
        chart_specs.finish(bad)
    monkeypatch.delenv(chart_specs.VALIDATE_ENV)
    assert chart_specs.finish(bad)["height"] == "tall"


def test_charts_are_built_from_channel_objects_not_shorthand(store, monkeypatch):
    """Strings and dicts in an encoding go through Altair's from_dict (the schema hashed anew each time)."""
    from bench.charts import cases

    calls: list[str] = []
    from_dict = schemapi.SchemaBase.from_dict.__func__

    def counting(cls, *args, **kwargs):
        calls.append(cls.__name__)
        return from_dict(cls, *args, **kwargs)

    built = cases(None)
    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", classmethod(counting))
    for name, _, build, _ in built:
        calls.clear()
        chart = build()
        if isinstance(chart, chart_specs.Templated):
            chart.chart()
        assert calls == [], f"{name}: {calls}"


def test_another_look_is_finished_its_own_way_and_cached_under_its_own_id(store):
    """The hook the screen's dark theme can use: its own finish, its own chart id, built once as well."""
    from metrics.watchlists import WATCH_LISTS

    looks: list[dict] = []

    def dark(chart) -> dict:
        looks.append(chart_specs.finish(chart) | {"background": "#0b1220"})
        return looks[-1]

    def build():
        return charts.lists_chart({w.id: 1 for w in WATCH_LISTS})

    first = chart_specs.spec("screen:lists", ("2024-06",), build, dark)
    assert chart_specs.spec("screen:lists", ("2024-06",), build, dark) is first and len(looks) == 1
    assert first["background"] == "#0b1220"
    assert "background" not in chart_specs.spec("lists", ("2024-06",), build)  # the desk look is another spec


def test_the_screen_charts_are_made_once_per_view_and_dark(store, built):
    """The meeting screen's charts (ui/screen/theme.specs) share the cache: a second screen on the same view
    builds nothing, and what it gets is the dark SVG look, not the desk's."""
    from ui.screen.theme import PANEL

    first = start_app({"mode": "screen"}, page="pages/overview.py")
    n = len(built)
    assert n >= 2 and len(chart_protos(first)) == 2  # the trend and the county bars
    second = start_app({"mode": "screen"}, page="pages/overview.py")
    assert len(built) == n, "a second screen on the same view built its charts again"
    looks = specs(second)
    assert [p.spec for p in chart_protos(second)] == [p.spec for p in chart_protos(first)]
    assert all(s["config"]["background"] == PANEL and s["usermeta"]["embedOptions"]["renderer"] == "svg"
               for s in looks)
    assert all("datasets" in s or p.datasets for s, p in zip(looks, chart_protos(second)))
    # both say what the red dashed line is; the bars' figures sit at the plot's right edge, past bars and target
    assert [s["title"]["subtitle"] for s in looks] == ["红色虚线：时序进度"] * 2
    figures = looks[1]["layer"][1]
    assert figures["mark"]["align"] == "right" and figures["encoding"]["x"] == {"value": "width"}
    assert "width" in looks[1]["layer"][0]["encoding"]["x"]["scale"]["domainMax"]["expr"]


# ---- templated charts: Altair builds a shape once, each view fills its data in -----------------------------------
BARS = (RATE, "start_rate", "total_investment_sum", "plan_investment_sum", "schedule_deviation", "private_share",
        "industrial_share", "lagging_projects")
# pairs alike but for the indicator: a rate with a target each (private/industrial share), a count with none each
TREND = (RATE, "monthly_investment", "start_rate", "private_share", "industrial_share", "lagging_projects",
         "stopped_projects", "funds_in_place_rate", "completed_ytd_sum")


def _demo_views():
    """(label, builder call) pairs over the demo city: every templated builder, on views that differ in data
    (months with and without a target, filters, group keys, one group or many)."""
    from data.store import DEMO_DIR, Store
    from metrics import engine, projects, watchlists
    from metrics.dataset import Dataset
    from metrics.filters import Filters
    from metrics.rowsets import project_efficiency

    ds = Dataset.from_store(Store(DEMO_DIR))
    last, first = ds.months[-1], ds.months[0]
    one = sorted(ds.scan([last]).select("county").unique().collect()["county"].to_list())[:1]
    views = []
    for month in (last, first):
        for f in (Filters(), Filters(county=tuple(one))):
            for key in ("county", "chain"):
                by = engine.compute(ds, [month], f, key, BARS)
                for iid in BARS:
                    for kw in ({"month_num": month.month, "select": key == "county"}, {"horizontal": True}, {}):
                        views.append((f"bar {month} {f} {key} {iid} {kw}",
                                      lambda by=by, key=key, iid=iid, kw=kw: charts.bar_chart(by, key, iid, **kw)))
            series = engine.compute(ds, [m for m in ds.months if m <= month], f, None,
                                    TREND)
            for iid in TREND:
                views.append((f"trend {month} {f} {iid}", lambda s=series, iid=iid: charts.trend_chart(s, iid)))
            grouped = engine.compute(ds, [m for m in ds.months if m <= month], f, "level", [RATE])
            views.append((f"trend by level {month} {f}",
                          lambda g=grouped: charts.trend_chart(g, RATE, color="level", schedule=False)))
            counts = watchlists.list_counts(ds, month, f)
            views.append((f"lists {month} {f}", lambda c=counts: charts.lists_chart(c, text_size=14)))
            rows = ds.scan([month]).filter(f.expr()).collect()
            views.append((f"share {month} {f}", lambda r=rows: charts.stacked_share(r, "county", "investor_type")))
            views.append((f"share chain {month} {f}", lambda r=rows: charts.stacked_share(r, "chain", "category")))
            eff = project_efficiency(rows).rename({"tax_per_mu": "亩均税收", "profit_tax_rate": "投资利税率"})
            views.append((f"scatter {month} {f}", lambda e=eff: charts.efficiency_scatter(e)))
            heat = engine.compute(ds, [month], f, "county", [RATE, "start_rate"])
            views.append((f"heat {month} {f}", lambda h=heat, m=month: charts.heat_table(h, [RATE, "start_rate"],
                                                                                        m.month)))
        pid = ds.scan([month]).select("project_id").head(1).collect().item()
        views.append((f"curve {month}", lambda p=pid: charts.investment_curve(projects.project_history(ds, p))))
    from bench.charts import cases  # the benchmark's one view of each desk chart: the duel's and the ledger's too

    return views + [(name, build) for name, _, build, _ in cases(None)]


def _named(spec: dict) -> str:
    """The spec as text with Altair's generated view names (a hash of the chart it named) made alike."""
    return re.sub(r"view_[0-9a-f]+_\d+", "view", json.dumps({**spec, "datasets": sorted(spec.get("datasets", {}))},
                                                           ensure_ascii=False, sort_keys=True))


def test_a_templated_chart_is_what_its_builder_draws_on_every_view(monkeypatch):
    """Each view's spec, filled into a template another view's data made, equals the spec Altair builds from this
    view's own chart — in both languages; a builder that let its data into the template's shape fails here."""
    import streamlit as st

    from ui import i18n

    views = _demo_views()
    for language in ("zh", "en"):
        monkeypatch.setattr(chart_specs, "lang", lambda: language)
        monkeypatch.setattr(i18n, "lang", lambda: language)
        chart_specs._template.clear()
        shapes: dict[tuple, str] = {}
        for label, build in views:
            chart = build()
            assert isinstance(chart, chart_specs.Templated), label
            shapes.setdefault(chart.shape, label)
            assert _named(chart_specs.finish(chart)) == _named(chart_specs.finish(chart.chart())), \
                f"{label} (template from {shapes[chart.shape]})"
        assert len(shapes) < len(views)  # views do share templates
    st.cache_resource.clear()


def test_a_template_is_checked_against_the_schema_in_the_tests():
    bad = chart_specs.Templated(("bench-bad",), (pl.DataFrame({"a": [1]}),),
                           lambda d: alt.Chart(d, height="tall").mark_bar().encode(alt.X("a:Q")))
    with pytest.raises(schemapi.SchemaValidationError):
        chart_specs.finish(bad)


def test_the_heat_table_colours_each_figure_against_its_target():
    """December: resume_rate's target is 100 %, private_share's 60 %, no target for 前期手续办结率, none lagging wanted."""
    by = pl.DataFrame({"county": ["甲县", "乙县", "丙县"], "resume_rate": [0.985, 1.0, 0.80],
                       "private_share": [0.58, 0.61, 0.20], "procedures_complete_rate": [0.9, 0.5, 1.0],
                       "lagging_projects": [0, 4, 1]})
    ids = ["resume_rate", "private_share", "procedures_complete_rate", "lagging_projects"]
    cells = charts.heat_table(by, ids, 12).frames[0]
    got = {(r["县区"], r["指标"]): (r["值"], r["对照目标"]) for r in cells.iter_rows(named=True)}
    assert got == {
        ("甲县", "续建项目复工率"): ("98.5%", "接近目标"),  # 1.5 points short: never deep red
        ("乙县", "续建项目复工率"): ("100.0%", "达标"),
        ("丙县", "续建项目复工率"): ("80.0%", "差距较大"),
        ("甲县", "民间投资占比"): ("58.0%", "接近目标"), ("乙县", "民间投资占比"): ("61.0%", "达标"),
        ("丙县", "民间投资占比"): ("20.0%", "差距较大"),
        ("甲县", "前期手续办结率"): ("90.0%", "无目标"), ("乙县", "前期手续办结率"): ("50.0%", "无目标"),
        ("丙县", "前期手续办结率"): ("100.0%", "无目标"),
        ("甲县", "滞后项目数"): ("0个", "达标"), ("乙县", "滞后项目数"): ("4个", "差距较大"),
        ("丙县", "滞后项目数"): ("1个", "差距较大"),
    }


def test_lying_bars_name_every_group():
    """17 chains: the chart grows with them (the names were drawn for every other bar at a fixed 420 px)."""
    by = pl.DataFrame({"chain": [f"链{k:02d}" for k in range(17)], "total_investment_sum": [1e5 * (k + 1) for k in range(17)]})
    spec = chart_specs._to_dict(charts.bar_chart(by, "chain", "total_investment_sum", height=420, horizontal=True).chart())
    assert spec["height"] >= 17 * 20  # at least 20 px a name
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False
