"""README, Ranking: "score … rounded to 9 decimals before ranking so float noise never breaks a real tie"; "two
counties tied just above the bottom 3 places are both in it (e.g. tied at rank 5 of 8 with two counties below them)";
the scorecard file (`--scorecard`, `$KPM_SCORECARD`) is what the CLI and the app rank by.

Every expected rank, order and score below is worked out by hand in the comments."""
from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store
from metrics.dataset import Dataset
from metrics.ranking import Item, Scorecard, ranking
from reports.cli import main as cli_main
from tests.factories import snapshot

ROOT = Path(__file__).resolve().parents[1]


def _rank_of(df) -> dict[str, int]:
    return {r["county"]: r["rank"] for r in df.iter_rows(named=True)}


# ---- float noise: a real tie stays a tie ---------------------------------------------------------------------------
THREE = Scorecard((Item("investment_completion_rate", 1, "higher"), Item("private_share", 1, "higher"),
                   Item("industrial_share", 1, "higher")), 3, 3)


def _county(county: str, plan_ytd: list[tuple[float, float]], parts: list[tuple[float, str, str]]) -> list[dict]:
    """续建 projects of one county: (plan, ytd) and (total, investor, category) per project."""
    return [dict(project_id=f"{county}{k}", county=county, plan_investment_year=plan, completed_investment_ytd=ytd,
                 total_investment=total, investor_type=inv, category=cat,
                 industry_class="新兴产业" if cat == "产业" else None)
            for k, ((plan, ytd), (total, inv, cat)) in enumerate(zip(plan_ytd, parts))]


def test_float_noise_does_not_break_a_real_tie():
    # 甲县: completion 100/300 = 1/3, private 24000/66000 = 4/11, industrial 11000/66000 = 1/6.
    # 乙县: the same three fractions on other indicators: completion 50/300 = 1/6, private 1/3, industrial 4/11.
    # With 丙县 at 0 and 丁县 at 1 on every indicator the scaled scores are 100 × the fraction, so both score
    # (1/3 + 4/11 + 1/6) × 100 / 3 = 28.78…; summed in different orders the floats differ in the last bit.
    jia = _county("甲县", [(100, 100), (100, 0), (100, 0)],
                  [(11_000, "民间投资", "产业"), (13_000, "民间投资", "基础设施"), (42_000, "政府投资", "基础设施")])
    yi = _county("乙县", [(100, 50), (100, 0), (100, 0)],
                 [(22_000, "民间投资", "产业"), (2_000, "政府投资", "产业"), (42_000, "政府投资", "基础设施")])
    bing = _county("丙县", [(100, 0)], [(1_000, "政府投资", "基础设施")])
    ding = _county("丁县", [(100, 100)], [(1_000, "民间投资", "产业")])
    r = ranking(Dataset.from_frame(snapshot("2024-06", *jia, *yi, *bing, *ding)), "2024-06", card=THREE)
    assert _rank_of(r) == {"丁县": 1, "甲县": 2, "乙县": 2, "丙县": 4}
    got = {row["county"]: row for row in r.iter_rows(named=True)}
    assert got["甲县"]["score"] == pytest.approx((1 / 3 + 4 / 11 + 1 / 6) * 100 / 3)
    assert got["乙县"]["score"] == pytest.approx((1 / 3 + 4 / 11 + 1 / 6) * 100 / 3)
    assert got["丁县"]["flag"] == "红旗" and got["丙县"]["flag"] == "蜗牛"
    assert got["甲县"]["flag"] is None and got["乙县"]["flag"] is None


def test_scores_equal_to_nine_decimals_tie_and_a_difference_at_the_ninth_does_not():
    # One indicator, plan 1e12 each: completion = ytd / 1e12, scaled between 丙县 (0) and 丁县 (1) → score = 100 × it.
    # 甲县 50.0000000003 and 乙县 50.0 agree to 9 decimals (a tie, rank 3 both); 戊县 50.000000002 does not (rank 2).
    card = Scorecard((Item("investment_completion_rate", 1, "higher"),), 3, 3)
    plan = 1e12
    ytd = {"丁县": plan, "戊县": 500_000_000_020.0, "甲县": 500_000_000_003.0, "乙县": 500_000_000_000.0, "丙县": 0.0}
    s = snapshot("2024-06", *[dict(project_id=c, county=c, plan_investment_year=plan, completed_investment_ytd=v,
                                   total_investment=2e12) for c, v in ytd.items()])
    r = ranking(Dataset.from_frame(s), "2024-06", card=card)
    assert _rank_of(r) == {"丁县": 1, "戊县": 2, "甲县": 3, "乙县": 3, "丙县": 5}
    assert r["county"].to_list()[:2] == ["丁县", "戊县"]


# ---- bottom places: a tie just above the bottom three ------------------------------------------------------------
RATES = {"子县": 0.9, "丑县": 0.8, "寅县": 0.7, "卯县": 0.6, "辰县": 0.5, "巳县": 0.5, "午县": 0.2, "未县": 0.1}


def test_a_tie_just_above_the_bottom_three_puts_both_in_it():
    # Ranks every month: 子1 丑2 寅3 卯4 辰5 巳5 午7 未8. From the bottom: 未1 午2, and 辰/巳 have only two counties
    # strictly below them → both are in the bottom 3. Three such months (the default window) → 约谈预警 for
    # 辰, 巳, 午, 未; 卯 (rank 4) has four counties strictly below it and is not.
    card = Scorecard((Item("investment_completion_rate", 1, "higher"),), 3, 3)
    months = [snapshot(m, *[dict(project_id=c, county=c, plan_investment_year=100, completed_investment_ytd=v * 100)
                            for c, v in RATES.items()]) for m in ("2024-04", "2024-05", "2024-06")]
    r = ranking(Dataset.from_frame(pl.concat(months)), "2024-06", card=card)
    assert _rank_of(r) == {"子县": 1, "丑县": 2, "寅县": 3, "卯县": 4, "辰县": 5, "巳县": 5, "午县": 7, "未县": 8}
    warned = {row["county"] for row in r.iter_rows(named=True) if row["warning"]}
    assert warned == {"辰县", "巳县", "午县", "未县"}
    got = {row["county"]: row for row in r.iter_rows(named=True)}
    assert got["辰县"]["explanation"].startswith("连续3个月排名后3位：")
    assert got["卯县"]["flag"] is None and got["未县"]["flag"] == "蜗牛" and got["子县"]["flag"] == "红旗"


# ---- a custom scorecard changes the ranking (CLI, $KPM_SCORECARD, the app) -----------------------------------------
# One 续建 project per county, so start_rate, procedures_complete_rate and signed_start_rate are null everywhere
# (0 points each under the default card).
#   甲县: completion 90/100, 民间投资, 基础设施      乙县: 50/100, 政府投资, 产业      丙县: 10/100, 国有企业, 产业
# Default card (30 completion, 15 private, 15 industrial, the rest 0 for all):
#   甲 (30×100 + 15×100 + 15×0)/100 = 45, 乙 (30×50 + 0 + 15×100)/100 = 30, 丙 (0 + 0 + 15×100)/100 = 15.
# CUSTOM (government_share lower ×2, industrial_share ×1): government share 甲 0, 乙 1, 丙 0 → scaled 100, 0, 100;
#   甲 (2×100 + 0)/3 = 66.67, 乙 (0 + 100)/3 = 33.33, 丙 (200 + 100)/3 = 100 → 丙, 甲, 乙.
CUSTOM = """
[warning]
months = 3
places = 3

[[indicator]]
id = "government_share"
weight = 2
direction = "lower"

[[indicator]]
id = "industrial_share"
weight = 1
"""
DEFAULT_ORDER = [("甲县", 45.0), ("乙县", 30.0), ("丙县", 15.0)]
CUSTOM_ORDER = [("丙县", 100.0), ("甲县", 200 / 3), ("乙县", 100 / 3)]


@pytest.fixture(scope="module")
def card_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("card_store")
    Store(root).write(snapshot(
        "2024-06",
        dict(project_id="J1", county="甲县", completed_investment_ytd=90, investor_type="民间投资", category="基础设施"),
        dict(project_id="Y1", county="乙县", completed_investment_ytd=50, investor_type="政府投资", category="产业",
             industry_class="传统产业"),
        dict(project_id="B1", county="丙县", completed_investment_ytd=10, investor_type="国有企业", category="产业",
             industry_class="新兴产业")), source="card.xlsx", user="test")
    return root


@pytest.fixture
def custom_card(tmp_path) -> Path:
    p = tmp_path / "我的评分表.toml"
    p.write_text(CUSTOM, encoding="utf-8")
    return p


def _cli_ranking(*args: str) -> list[tuple[str, float]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["ranking", *args, "--format", "json"]) == 0
    return [(r["county"], r["score"]) for r in json.loads(out.getvalue())["rows"]]


def _same(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> bool:
    return [c for c, _ in got] == [c for c, _ in want] and all(
        s == pytest.approx(w) for (_, s), (_, w) in zip(got, want))


def test_default_scorecard_ranking(card_store, monkeypatch):
    monkeypatch.delenv("KPM_SCORECARD", raising=False)
    got = _cli_ranking("--data", str(card_store), "--month", "2024-06")
    assert _same(got, DEFAULT_ORDER), got


def test_scorecard_option_changes_the_ranking(card_store, custom_card, monkeypatch):
    monkeypatch.delenv("KPM_SCORECARD", raising=False)
    got = _cli_ranking("--data", str(card_store), "--month", "2024-06", "--scorecard", str(custom_card))
    assert _same(got, CUSTOM_ORDER), got


def test_scorecard_from_the_environment_changes_the_ranking(card_store, custom_card, monkeypatch):
    monkeypatch.setenv("KPM_SCORECARD", str(custom_card))
    got = _cli_ranking("--data", str(card_store), "--month", "2024-06")
    assert _same(got, CUSTOM_ORDER), got


def test_the_app_ranks_by_the_edited_scorecard(card_store, tmp_path, monkeypatch):
    card = tmp_path / "scorecard.toml"
    card.write_text((ROOT / "metrics" / "scorecard.toml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("KPM_SCORECARD", str(card))
    monkeypatch.setenv("KPM_STORE", str(card_store))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]

    def shown() -> list[str]:
        table = next(d.value for d in at.dataframe if "综合得分" in d.value.columns)
        return list(table["县区"])

    assert shown() == [c for c, _ in DEFAULT_ORDER]
    card.write_text(CUSTOM, encoding="utf-8")  # the analyst edits the file; the next view ranks by it
    st = card.stat()
    os.utime(card, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # a later edit, whatever the clock's grain
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert shown() == [c for c, _ in CUSTOM_ORDER]
