"""reports/duban_demo.py: the demo city's 督办 log is what the generator writes (the same bytes every time), and it
holds what a first look at the 督办 page needs: items in every state, overdue ones, and answers by the units."""
from __future__ import annotations

from data import duban
from data.store import DEMO_DIR, Store
from reports import duban_demo


def test_the_shipped_demo_log_is_current(tmp_path):
    written = duban_demo.generate(tmp_path)
    assert written.read_bytes() == (DEMO_DIR / duban.LOG_NAME).read_bytes(), \
        "run `python -m reports.duban_demo` to regenerate data/demo/duban.jsonl"


def test_the_demo_log_shows_every_state_as_of_its_day():
    ledger = duban.load(Store(DEMO_DIR))
    states = {i.at(duban_demo.AS_OF).status for i in ledger.items.values()}
    assert states >= {"已交办", "办理中", "已办结"}
    assert any(s.step == "return" for i in ledger.items.values() for s in i.steps)
    assert {i.source for i in ledger.items.values()} >= {"问题", "会议"}
    assert all(i.assigned_on <= duban_demo.AS_OF for i in ledger.items.values())
