"""python -m bench.charts [--repeat N] [--before REF]: what each desk chart costs the server per page view —
built with shorthand strings (the charts of git revision REF's ui/widgets.py, default the last one that had them)
or with channel objects (ui/charts.py), both through st.altair_chart (which converts and validates on every view),
against ui/charts.py's first view of a selection (the chart's template, made once per shape, filled with the view's
data) and every later view (cached spec, st.vega_lite_chart). Medians over interleaved repetitions, in ms, with the
load average; the demo city (or KPM_STORE)."""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
# The charts moved to ui/charts.py (channel objects) in 713703e; its parent is the last ui/widgets.py with them.
BEFORE = "713703e^"
SHORTHAND_BUILDERS = ("trend_chart", "bar_chart", "lists_chart", "stacked_share")


def old_widgets(ref: str) -> types.ModuleType | None:
    """REF's ui/widgets.py as a module (its chart builders used shorthand strings), or None when git has no such
    revision."""
    proc = subprocess.run(["git", "show", f"{ref}:ui/widgets.py"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        print(f"没有找到 git 版本 {ref} 的 ui/widgets.py（{proc.stderr.strip()[:120]}），跳过“改前”一列；"
              f"用 --before 指定一个含旧图表代码的版本", file=sys.stderr)
        return None
    mod = types.ModuleType(f"bench_widgets_{ref}")
    exec(compile(proc.stdout, f"{ref}:ui/widgets.py", "exec"), mod.__dict__)  # noqa: S102 (our own history)
    missing = [f for f in SHORTHAND_BUILDERS if not hasattr(mod, f)]
    if missing:
        print(f"git 版本 {ref} 的 ui/widgets.py 没有 {'、'.join(missing)}，跳过“改前”一列", file=sys.stderr)
        return None
    return mod


def cases(old: types.ModuleType | None) -> list[tuple[str, Callable | None, Callable, tuple]]:
    """(chart, shorthand builder or None, channel-object builder, view key) for the charts the desk pages draw."""
    from data.schema import PROC_COLUMNS
    from data.store import active_store
    from metrics import engine, projects, ranking, watchlists
    from metrics.dataset import Dataset
    from metrics.filters import Filters
    from metrics.format import format_value
    from metrics.rowsets import CONSTRUCTION, project_efficiency
    from metrics.watchlists import PROC_ZH
    from ui import charts
    from ui.i18n import ind_name

    ds = Dataset.from_store(active_store()[0])
    month, f = ds.months[-1], Filters()
    heat = ["investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate", "private_share",
            "industrial_share", "procedures_complete_rate", "signed_start_rate", "leader_coverage", "lagging_projects"]
    series = engine.compute(ds, ds.months, f, None, ["investment_completion_rate"])
    by = engine.compute(ds, [month], f, "county", heat)
    counts = watchlists.list_counts(ds, month, f)
    rows = ds.scan([month]).collect()
    eff = project_efficiency(rows).rename({"tax_per_mu": "亩均税收", "profit_tax_rate": "投资利税率"})
    big = rows.sort("total_investment", descending=True)["project_id"][0]
    hist = projects.project_history(ds, big)
    last = hist.row(-1, named=True)
    procs = pl.DataFrame([{"节点": PROC_ZH[p], "类别": "前期手续", "日期": last[p]} for p in PROC_COLUMNS
                          if last[p] is not None], schema={"节点": pl.String, "类别": pl.String, "日期": pl.Date})
    picked = by["county"].to_list()[:3]
    duel = (engine.compute(ds, ds.months, f, "county", ["investment_completion_rate"])
            .filter(pl.col("county").is_in(picked))
            .select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"), pl.col("county").alias("县区"),
                    pl.col("investment_completion_rate").alias("值"), pl.col("n__investment_completion_rate").alias("n"),
                    pl.col("snapshot_month").dt.year().alias("年"), pl.lit(None, pl.Float64).alias("目标")))
    card = ranking.load_scorecard()
    rank = {r["county"]: r for r in ranking.ranking(ds, month, f).iter_rows(named=True)}
    scores = pl.DataFrame([{"县区": c, "指标": ind_name(i.id), "得分": rank[c][f"scaled__{i.id}"],
                            "值": format_value(i.id, rank[c][i.id]), "权重": i.weight}
                           for c in picked for i in card.items])
    ind = "investment_completion_rate"
    return [
        ("trend_chart", old and (lambda: old.trend_chart(series, ind)), lambda: charts.trend_chart(series, ind),
         (f, ind, 300)),
        ("county bars (bar_chart, pick)", old and (lambda: old.bar_chart(by, "county", ind, month_num=12, select=True)),
         lambda: charts.bar_chart(by, "county", ind, month_num=12, select=True), (month, f, ind)),
        ("lists_chart", old and (lambda: old.lists_chart(counts, text_size=14, label_limit=220)),
         lambda: charts.lists_chart(counts, text_size=14, label_limit=220), (month, f)),
        ("stacked_share", old and (lambda: old.stacked_share(rows.filter(CONSTRUCTION), "county", "investor_type")),
         lambda: charts.stacked_share(rows.filter(CONSTRUCTION), "county", "investor_type"), (month, f)),
        ("heat table (总览)", None, lambda: charts.heat_table(by, heat, 12), (month, f)),
        ("efficiency scatter", None, lambda: charts.efficiency_scatter(eff), (month, f)),
        ("investment curve (台账)", None, lambda: charts.investment_curve(hist), (big,)),
        ("procedures (台账)", None, lambda: charts.procedures_chart(procs, PROC_COLUMNS), (big,)),
        ("duel trend (facet)", None, lambda: charts.duel_trend(duel, ind, picked, 360, "时序进度"), (f, picked)),
        ("duel scores", None, lambda: charts.duel_scores(scores, [ind_name(i.id) for i in card.items], picked),
         (month, f, picked)),
    ]


def _altair(chart):
    """The Altair chart itself (a templated builder's, its frames inline)."""
    from ui import chart_specs

    return chart.chart() if isinstance(chart, chart_specs.Templated) else chart


def _ms(fn: Callable) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def run(repeat: int, before: str) -> list[tuple[str, list[float | None]]]:
    """Per chart: median ms of [shorthand + st.altair_chart, channel objects + st.altair_chart, first view
    (build, finish, st.vega_lite_chart), later view (cached spec, st.vega_lite_chart)]."""
    import streamlit as st

    from ui import chart_specs, charts

    out = []
    for name, old, new, view in cases(old_widgets(before)):
        chart_id = f"bench:{name}"
        chart_specs.spec(chart_id, view, new)  # primes the cache for the later-view column
        times: list[list[float]] = [[], [], [], []]
        for _ in range(repeat):  # interleaved, so that other jobs on the machine hit every column alike
            if old:
                times[0].append(_ms(lambda: st.altair_chart(old(), width="stretch")))
            times[1].append(_ms(lambda: st.altair_chart(_altair(new()), width="stretch")))
            times[2].append(_ms(lambda: st.vega_lite_chart(chart_specs.finish(new()), width="stretch")))
            times[3].append(_ms(lambda: charts.show(st, chart_id, view, new)))
        out.append((name, [statistics.median(t) if t else None for t in times]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.charts", description="每个图表每次查看在服务器上的耗时（毫秒，中位数）")
    ap.add_argument("--repeat", type=int, default=15, help="每种做法重复的次数（交替进行）")
    ap.add_argument("--before", default=BEFORE,
                    help=f"“改前”图表代码所在的 git 版本（其 ui/widgets.py），默认 {BEFORE}（图表移入 ui/charts.py 之前）")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # bare mode: Streamlit warns that no app is running, once per call
    load_before = os.getloadavg()
    rows = run(args.repeat, args.before)
    print(f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; repeat {args.repeat}; ms")
    print("| chart | shorthand + st.altair_chart | channel objects + st.altair_chart | first view (template filled in) "
          "| later views (cached) |")
    print("|---|---|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | " + " | ".join("—" if v is None else f"{v:.1f}" for v in ms) + " |")
    with_old = [ms for _, ms in rows if ms[0] is not None]
    print(f"all {len(rows)} charts: channel objects + st.altair_chart {sum(ms[1] for _, ms in rows):.1f} ms, "
          f"later views {sum(ms[3] for _, ms in rows):.1f} ms")
    if with_old:
        print(f"the {len(with_old)} with a shorthand version: " + " → ".join(
            f"{sum(ms[k] for ms in with_old):.1f}" for k in (0, 1, 3)) + " ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
