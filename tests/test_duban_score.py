"""按期办结率 as a scorecard line by configuration (metrics/duban_score.py): not in the default scorecard; when an
office's scorecard names duban_on_time_rate, the ranking scores each 县区 on its 督办 items as of the month's last
day, the ranking page, 县区对比 and the bulletin show it. Scores worked out by hand below."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from data import duban, duban_steps as steps
from metrics.dataset import Dataset
from metrics.ranking import load_scorecard, ranking
from reports.bulletin import collect
from reports.bulletin.words import ranking_sentence
from tests import app_store as fx
from tests.helpers import APP

D = dt.date
ANALYST = duban.Actor("李明", "analyst")
CARD = """
[[indicator]]
id = "investment_completion_rate"
weight = 1

[[indicator]]
id = "duban_on_time_rate"
weight = 1
"""


@pytest.fixture
def store(tmp_path, monkeypatch):
    """June 2024: 甲县's item asked to close on time and closed, 乙县's asked late and closed, 丙区 none."""
    s = fx.build_store(tmp_path / "store")
    a = steps.add(s, ANALYST, unit="甲县", content="完成用地报批", assigned_on=D(2024, 6, 1))   # due 6-08
    steps.request_close(s, ANALYST, a.id, "已报批", on=D(2024, 6, 6))
    steps.close(s, ANALYST, a.id, "优秀", on=D(2024, 6, 10))
    b = steps.add(s, ANALYST, unit="乙县", content="协调融资", assigned_on=D(2024, 6, 3))       # due 6-10
    steps.request_close(s, ANALYST, b.id, "已放款", on=D(2024, 6, 12))
    steps.close(s, ANALYST, b.id, "合格", on=D(2024, 6, 13))
    card = tmp_path / "scorecard.toml"
    card.write_text(CARD, encoding="utf-8")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s, card


def test_the_default_scorecard_leaves_it_out():
    assert "duban_on_time_rate" not in [i.id for i in load_scorecard().items]


def test_a_configured_scorecard_scores_the_on_time_rate(store):
    s, card = store
    r = ranking(Dataset.from_store(s), "2024-06", card=load_scorecard(card))
    rows = {x["county"]: x for x in r.iter_rows(named=True)}
    # 投资完成率 (June): 甲县 900/2000 = 45%, 乙县 800/2000 = 40%, 丙区 300/1500 = 20% → scaled 100, 80, 0;
    # 按期办结率: 甲县 1/1, 乙县 0/1, 丙区 none (0 points) → scaled 100, 0, 0; the score is the mean of the two
    assert {c: round(x["score"], 6) for c, x in rows.items()} == {"甲县": 100.0, "乙县": 40.0, "丙区": 0.0}
    assert {c: x["duban_on_time_rate"] for c, x in rows.items()} == {"甲县": 1.0, "乙县": 0.0, "丙区": None}
    assert "按期办结率无统计对象（按0分计）" in rows["丙区"]["explanation"]
    assert "按期办结率0.0%，落后最优（甲县）100.0个百分点" in rows["乙县"]["explanation"]
    # the default scorecard does not read the 督办 log
    plain = ranking(Dataset.from_store(s), "2024-06", card=load_scorecard())
    assert "duban_on_time_rate" not in plain.columns


def test_the_bulletin_names_it_in_the_scorecard_sentence(store):
    s, card = store
    b = collect(Dataset.from_store(s), "2024-06", card=load_scorecard(card))
    assert ranking_sentence(b).startswith("按评分表（投资完成率1分、按期办结率1分）对各县区综合评分排名。")


@pytest.mark.parametrize("path", ["pages/ranking.py", "pages/comparison.py"])
def test_the_ranking_and_comparison_pages_show_it(store, monkeypatch, path):
    s, card = store
    monkeypatch.setenv("KPM_SCORECARD", str(card))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    if path == "pages/ranking.py":
        table = next(d.value for d in at.dataframe if "按期办结率(%)" in d.value.columns)
        got = dict(zip(table["县区"], table["按期办结率(%)"]))
        assert (got["甲县"], got["乙县"]) == (100.0, 0.0) and got["丙区"] != got["丙区"]   # 丙区: NaN (none)
