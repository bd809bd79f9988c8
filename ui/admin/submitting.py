"""What the 数据管理 page shows about submissions: 报送情况 tables, a reporter's own submissions, the review queue,
the review of one pending submission, and 底稿 downloads."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data.draft import draft_ledger
from data.ingest import ImportOutcome, import_file
from data.months import month_key, next_month, parse_month
from data.store import Store, frame_to_parquet_bytes
from data.submissions import STATUS_ZH, MonthReport, UnitState, change_rows, change_summary
from data.text import shown_time
RECENT = 6  # how many months a reporter's own list and the 报送情况 chooser go back
REPORT_HEADERS = ("报送单位", "状态", "行数", "报送人", "报送时间", "发布时间", "逾期", "备注")
OWN_HEADERS = ("报送月份", "状态", "行数", "报送人", "报送时间", "审核时间", "审核人", "退回原因", "上传文件")


def upcoming_month(store: Store, today: dt.date | None = None) -> str:
    """The month a unit reports next: the one after the latest stored month (this month when none is stored)."""
    months = store.months()
    if not months:
        return month_key(today or dt.date.today())
    return next_month(months[-1])


def due_month(store: Store, unit: str, today: dt.date | None = None) -> str:
    """The month a unit should report now: the latest stored month while it has neither published nor pending
    a submission there, else the next month."""
    months = store.months()
    if months:
        st = store.units(months[-1]).get(unit)
        if st is None or not (st.published or st.pending is not None):
            return months[-1]
    return upcoming_month(store, today)


def report_frame(report: MonthReport) -> pl.DataFrame:
    """A month's 报送情况 for the table: unit, status, rows, who, when, published, 逾期, 备注."""
    notes = []
    for u in report.units:
        parts = []
        if u.pending_update:
            parts.append("有更新待审核")
        if u.reason:
            parts.append(f"退回原因：{u.reason}")
        notes.append("；".join(parts))
    units = report.units
    return pl.DataFrame(
        {"报送单位": [u.unit for u in units], "状态": [STATUS_ZH[u.status] for u in units],
         "行数": [u.rows for u in units],
         "报送人": [u.submitted_by for u in units], "报送时间": [shown_time(u.submitted_at) for u in units],
         "发布时间": [shown_time(u.published_at) for u in units],
         "逾期": ["逾期" if u.late else "" for u in units], "备注": notes},
        schema={h: (pl.Int64 if h == "行数" else pl.String) for h in REPORT_HEADERS})


def submission_months(store: Store, unit: str | None = None) -> list[str]:
    """Months with a stored snapshot or a submission (of `unit`, when given), newest first."""
    months = set(store.months())
    for rec in store.audit():
        if rec.get("action") == "submit" and rec.get("month") and (unit is None or rec.get("unit") == unit):
            months.add(rec["month"])
    return sorted(months, reverse=True)


def _own_row(month: str, st: UnitState | None, rows: int) -> dict:
    row = dict.fromkeys(OWN_HEADERS, "")
    row.update({"报送月份": month, "状态": STATUS_ZH["missing"], "行数": 0})
    if st is None:
        return row
    ret = st.returned
    if st.published:
        row.update({"状态": STATUS_ZH["published"], "行数": rows, "报送人": st.submitted_by,
                    "报送时间": shown_time(st.submitted_at), "审核时间": shown_time(st.published_at), "审核人": st.published_by,
                    "上传文件": st.source})
        if st.pending is not None:
            row["状态"] = "已发布（更新待审核）"
        elif ret is not None and str(ret.get("returned_at", "")) >= st.published_at:
            row.update({"状态": "已发布（更新已退回）", "退回原因": ret.get("reason", "")})
    elif st.pending is not None:
        p = st.pending
        row.update({"状态": STATUS_ZH["pending"], "行数": int(p.get("rows", 0)), "报送人": p.get("user", ""),
                    "报送时间": shown_time(p.get("time")), "上传文件": p.get("source", "")})
    elif ret is not None:
        row.update({"状态": STATUS_ZH["returned"], "行数": int(ret.get("rows", 0)), "报送人": ret.get("user", ""),
                    "报送时间": shown_time(ret.get("time")), "审核时间": shown_time(ret.get("returned_at")),
                    "审核人": ret.get("returned_by", ""), "退回原因": ret.get("reason", ""),
                    "上传文件": ret.get("source", "")})
    return row


def own_submissions(store: Store, unit: str, months: list[str]) -> pl.DataFrame:
    """One unit's submissions in the given months: status (已发布/待审核/已退回/未报送), who, when, reason for return."""
    out = []
    for m in months:
        st = store.units(m).get(unit)
        rows = 0
        if st is not None and st.published:
            rows = next((u.rows for u in store.report(m).units if u.unit == unit), 0)
        out.append(_own_row(m, st, rows))
    return pl.DataFrame(out, schema={h: (pl.Int64 if h == "行数" else pl.String) for h in OWN_HEADERS})


def returned(store: Store, unit: str) -> list[tuple[str, dict]]:
    """The unit's submissions of the last RECENT months that were returned and not yet answered (no newer
    submission, nothing published since): (month, the returned record with reason, returned_at, returned_by)."""
    out = []
    for m in submission_months(store, unit)[:RECENT]:
        st = store.units(m).get(unit)
        ret = st.returned if st is not None else None
        if ret is None or st.pending is not None or (st.published and st.published_at > str(ret.get("returned_at"))):
            continue
        out.append((m, ret))
    return out


def pending_queue(store: Store) -> list[tuple[str, str, dict]]:
    """Every submission awaiting review: (month, unit, its audit record), newest month first, then by time."""
    out = []
    for m in submission_months(store):
        for unit, st in store.units(m).items():
            if st.pending is not None:
                out.append((m, unit, st.pending))
    return sorted(out, key=lambda x: (x[0], x[2].get("time", "")), reverse=True)


@dataclass(frozen=True)
class Review:
    """What an analyst sees before deciding on a pending submission."""

    month: str
    unit: str
    record: dict
    rows: int
    outcome: ImportOutcome      # the validation re-run on the pending rows (dry run, as the reporter's upload);
    #                             its warnings say which published rows it would replace and what changes
    previous: str | None        # the unit's last published month before this one
    change: str | None          # change against the unit's rows of that month
    changes: pl.DataFrame | None = None  # the same, project by project with old and new figures (change_rows)
    frame: pl.DataFrame | None = None    # the submitted rows


def review(store: Store, month: str, unit: str) -> Review:
    """Re-check a pending submission and compare it with the unit's published rows (this month, last month)."""
    rec, frame = store.pending(month, unit)
    outcome = import_file(frame_to_parquet_bytes(frame), store=store, filename=f"{unit}_{month}.parquet",
                          reporter_unit=unit, dry_run=True)
    last = store.last_published(unit, month)
    change = change_summary(last[1], frame) if last else None
    changes = change_rows(last[1], frame) if last else None
    return Review(month, unit, rec, frame.height, outcome, last[0] if last else None, change, changes, frame)


def draft_for(store: Store, unit: str, month: str) -> tuple[bytes, str | None, int]:
    """A unit's 底稿 for `month`: (xlsx bytes, where its rows come from — the month, or the year's register and the
    month — or None, how many rows). A unit with a register starts from its register (data.register.prefill)."""
    from data.register import template_frame

    source, frame = template_frame(store, unit, month)
    return draft_ledger(frame, parse_month(month), unit, source=source), source, \
        (frame.height if frame is not None else 0)


def draft_name(unit: str, month: str) -> str:
    d = parse_month(month)
    return f"{unit}_{d.year}年{d.month}月_重点项目台账（底稿）.xlsx"
