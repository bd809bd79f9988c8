"""Our own ledgers (the demo city's county ledgers, the 底稿) still give the snapshots they gave before the register
and the counties' own tables came (issue #26): the same bytes, compared with SHA-256s recorded from that code."""
from __future__ import annotations

import json

import pytest

from tests.snapshot_baseline import CASES, FIXTURE, digest

RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_every_case_was_recorded():
    assert set(RECORDED) == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_snapshot_bytes_are_unchanged(case):
    assert digest(case) == RECORDED[case]
