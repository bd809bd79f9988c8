"""Reporting units (报送单位): which unit reported which rows of a month, and each unit's status that month."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from data.months import add_months
from data.schema import COLUMNS

# Audit actions that write the month's published snapshot (the union of its published submissions).
SNAPSHOT_ACTIONS = ("import", "replace", "publish", "restore")
STATUS_ZH = {"published": "已发布", "pending": "待审核", "returned": "已退回", "missing": "未报送"}
DEFAULT_DEADLINE_DAY = 25


class UnitError(Exception):
    """A refused submission (unit conflict), with a message in Chinese."""


def split_units(df: pl.DataFrame, unit: str | None = None) -> dict[str, pl.DataFrame]:
    """A file's submissions: one per 县区 in file order, or the whole file as the named unit's."""
    if unit:
        return {unit: df}
    counties = df.get_column("county").unique(maintain_order=True).to_list()
    return {c: df.filter(pl.col("county") == c) for c in counties}


@dataclass
class UnitState:
    """One unit's submissions in one month, as the audit log tells them."""

    unit: str
    kind: str = "county"           # county: its rows are its 县区's; named: the project_ids it declared
    published: bool = False
    published_at: str = ""
    published_by: str = ""
    submitted_at: str = ""
    submitted_by: str = ""
    source: str = ""
    project_ids: tuple[str, ...] = ()  # named units only
    pending: dict | None = None        # the newest submission awaiting review (its audit record)
    returned: dict | None = None       # the newest returned submission (its audit record)
    rows: int = 0


def _record_units(rec: dict) -> dict[str, dict]:
    units = rec.get("units")
    return units if isinstance(units, dict) else {}


def replay(records: Iterable[dict], month: str, snapshot_counties: Iterable[str] = ()) -> dict[str, UnitState]:
    """Each unit's state for `month`, replaying the audit log; months written before units existed (no "units"
    in their records) are read as county submissions of the counties their snapshot holds."""
    states: dict[str, UnitState] = {}
    by_sha: dict[str, dict] = {}
    legacy: dict | None = None
    for rec in records:
        if rec.get("month") != month:
            continue
        action = rec.get("action")
        if rec.get("stored_sha256") and _record_units(rec):
            by_sha[rec["stored_sha256"]] = rec
        if action == "delete":
            states, legacy = {}, None
        elif action in SNAPSHOT_ACTIONS:
            units = _record_units(rec)
            if action == "restore":  # the restored version's units are those of the write that made it
                units = _record_units(by_sha.get(rec.get("stored_sha256", ""), {}))
                if not units:
                    states, legacy = {}, rec
                    continue
            elif not units:
                states, legacy = {}, rec
                continue
            if action == "restore":
                states = {}
            for name, info in units.items():
                st = states.setdefault(name, UnitState(name))
                st.kind = info.get("kind", "county")
                st.project_ids = tuple(info.get("project_ids", ()))
                st.published = True
                st.published_at = info.get("published_at") or rec.get("time", "")
                st.published_by = rec.get("user", "")
                st.submitted_at = info.get("submitted_at") or rec.get("time", "")
                st.submitted_by = info.get("submitted_by") or rec.get("user", "")
                st.source = rec.get("source", "")
                if action == "publish":
                    st.pending = None
            for name in rec.get("removed_units", ()):
                states.pop(name, None)
        elif action == "submit":
            st = states.setdefault(rec.get("unit", ""), UnitState(rec.get("unit", "")))
            st.pending, st.returned = rec, None
        elif action == "return":
            st = states.setdefault(rec.get("unit", ""), UnitState(rec.get("unit", "")))
            if st.pending is not None:
                st.returned, st.pending = {**st.pending, "reason": rec.get("reason", ""),
                                           "returned_at": rec.get("time", ""), "returned_by": rec.get("user", "")}, None
    if legacy is not None:
        for county in snapshot_counties:
            st = states.setdefault(county, UnitState(county))
            if not st.published:
                st.published, st.published_at, st.published_by = True, legacy.get("time", ""), legacy.get("user", "")
                st.submitted_at, st.submitted_by = st.published_at, st.published_by
                st.source = legacy.get("source", "")
    return states


def unit_column(snapshot: pl.DataFrame, states: dict[str, UnitState]) -> pl.Series:
    """The reporting unit of each row of a published snapshot: a named unit's declared projects, else its 县区."""
    owner = {pid: st.unit for st in states.values() if st.published and st.kind == "named" for pid in st.project_ids}
    ids = snapshot.get_column("project_id")
    return pl.Series("unit", [owner.get(p) for p in ids.to_list()], dtype=pl.String).fill_null(
        snapshot.get_column("county"))


def published_rows(states: dict[str, UnitState], snapshot: pl.DataFrame | None) -> dict[str, int]:
    """Rows per published unit in the snapshot."""
    if snapshot is None or snapshot.is_empty():
        return {}
    units = unit_column(snapshot, states)
    return dict(units.value_counts().iter_rows())


def conflicts(new: dict[str, pl.DataFrame], kept: pl.DataFrame, kept_units: pl.Series) -> list[str]:
    """Chinese messages for each project_id that a new unit's rows share with another unit's (kept or new)."""
    seen: dict[str, str] = dict(zip(kept.get_column("project_id").to_list(), kept_units.to_list()))
    out = []
    for unit, frame in new.items():
        for pid, name in frame.select("project_id", "project_name").iter_rows():
            other = seen.get(pid)
            if other is not None and other != unit:
                out.append(f"项目编码“{pid}”（{name}）同时出现在“{other}”和“{unit}”的报送中：同一项目只能由一个单位报送，"
                           "请核对后由其中一个单位删除该行再导入。")
            seen.setdefault(pid, unit)
    return out


def change_summary(old: pl.DataFrame, new: pl.DataFrame) -> str:
    """What replacing a unit's published rows with new ones changes, in Chinese."""
    old_ids, new_ids = set(old.get_column("project_id")), set(new.get_column("project_id"))
    common = sorted(old_ids & new_ids)
    cols = [c for c in new.columns if c != "snapshot_month" and c in old.columns]  # text columns: where both have them
    a = old.filter(pl.col("project_id").is_in(common)).select(cols).sort("project_id")
    b = new.filter(pl.col("project_id").is_in(common)).select(cols).sort("project_id")
    changed = 0
    if common:
        diff = pl.concat([a, b]).group_by(cols, maintain_order=True).len().filter(pl.col("len") == 1)
        changed = diff.get_column("project_id").n_unique()
    return (f"原 {old.height} 行 → 新 {new.height} 行：新增 {len(new_ids - old_ids)} 个项目、"
            f"移除 {len(old_ids - new_ids)} 个项目、数据有变化的 {changed} 个项目")


# Audit actions that bring a unit's ledger into the store: the first of them is when the store began.
LEDGER_ACTIONS = (*SNAPSHOT_ACTIONS, "submit")


CHANGE_HEADERS = ("项目编码", "项目名称", "变化", "字段", "原值", "新值")
CHANGE_KINDS = ("新增项目", "移除项目", "数据变化")


def _shown(name: str, kind: str) -> pl.Expr:
    """A column's values as a ledger writes them: money with thousands and two decimals, dates ISO, 是/否; empty
    stays null (shown “—”)."""
    col = pl.col(name)
    if kind in ("money", "float"):
        return col.map_elements(lambda v: f"{v:,.2f}", return_dtype=pl.String)
    if kind == "bool":
        return pl.when(col).then(pl.lit("是")).when(col.not_()).then(pl.lit("否"))
    return col.cast(pl.String)


def change_rows(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """What a unit's new rows change against its old ones, project by project (change_summary counts them): a row
    for each new and each removed project, and one for each changed figure of a kept project with its old and new
    value (CHANGE_HEADERS; 字段 is the Chinese header); new projects first, then removed ones, then the changes in
    the new file's order, each project's figures in the ledger's column order."""
    def listed(df: pl.DataFrame, kind: str) -> pl.DataFrame:
        return df.select(pl.lit(0, pl.UInt32).alias("_order"), pl.lit(0).alias("_field"),
                         pl.col("project_id").alias("项目编码"), pl.col("project_name").alias("项目名称"),
                         pl.lit(kind).alias("变化"), *(pl.lit(None, pl.String).alias(h) for h in CHANGE_HEADERS[3:]))

    old_ids, new_ids = old.get_column("project_id"), new.get_column("project_id")
    parts = [listed(new.filter(~pl.col("project_id").is_in(old_ids.implode())), CHANGE_KINDS[0]),
             listed(old.filter(~pl.col("project_id").is_in(new_ids.implode())), CHANGE_KINDS[1])]
    both = new.with_row_index("_order").join(old, on="project_id", how="inner", suffix="__old")
    for i, col in enumerate(COLUMNS):
        if col.name in ("snapshot_month", "project_id"):
            continue
        was = f"{col.name}__old"
        parts.append(both.filter(pl.col(col.name).ne_missing(pl.col(was))).select(
            "_order", pl.lit(i).alias("_field"), pl.col("project_id").alias("项目编码"),
            pl.col("project_name").alias("项目名称"), pl.lit(CHANGE_KINDS[2]).alias("变化"),
            pl.lit(col.zh).alias("字段"), _shown(was, col.kind).alias("原值"), _shown(col.name, col.kind).alias("新值")))
    rank = pl.col("变化").replace_strict(CHANGE_KINDS, range(len(CHANGE_KINDS)))
    return pl.concat(parts).sort(rank, "_order", "_field").select(CHANGE_HEADERS)


@dataclass(frozen=True)
class Settings:
    """Who is expected to report, by which day, and from which month lateness counts (the store's settings.json)."""

    deadline_day: int = DEFAULT_DEADLINE_DAY
    expected_units: tuple[str, ...] = ()
    late_from: str = ""  # 'YYYY-MM': 逾期 counts for this month on; '' = for months due after the store began


def began(records: Iterable[dict]) -> dt.date | None:
    """The day the store received its first ledger (import, publish or submission); None before any."""
    days = []
    for rec in records:
        if rec.get("action") in LEDGER_ACTIONS:
            with contextlib.suppress(ValueError, TypeError):
                days.append(dt.datetime.fromisoformat(str(rec.get("time"))).date())
    return min(days, default=None)


def counts_late(month: str, due: dt.date, settings: Settings, start: dt.date | None) -> bool:
    """Whether 逾期 applies to a month at all: from `settings.late_from` when set, else only when its deadline fell
    on or after the day the store began (a month back-filled as history was never due in this store)."""
    if settings.late_from:
        return month >= settings.late_from
    return start is not None and due >= start


def deadline(month: dt.date, day: int) -> dt.date:
    """The reporting deadline of a month: its `day`, or its last day when shorter."""
    nxt = add_months(month.replace(day=1), 1)
    return min(dt.date(month.year, month.month, 1) + dt.timedelta(days=day - 1), nxt - dt.timedelta(days=1))


@dataclass(frozen=True)
class UnitReport:
    """One row of a month's 报送情况."""

    unit: str
    status: str  # published | pending | returned | missing
    rows: int
    submitted_at: str
    late: bool
    submitted_by: str = ""
    published_at: str = ""
    reason: str = ""
    pending_update: bool = False  # a newer submission awaits review beside the published one

    def as_json(self) -> dict:
        return {"unit": self.unit, "status": self.status, "rows": self.rows, "submitted_at": self.submitted_at or None,
                "late": self.late}


@dataclass(frozen=True)
class MonthReport:
    """A month's 报送情况: every expected or reporting unit with its status."""

    month: str
    deadline: dt.date
    units: tuple[UnitReport, ...] = field(default_factory=tuple)
    late_counted: bool = True  # False: the deadline fell before the store began (or before settings' late_from)

    def of(self, status: str) -> list[UnitReport]:
        return [u for u in self.units if u.status == status]

    def line(self, lang: str = "zh") -> str:
        """The compact line shown wherever the month is chosen (in English: counts only, units are Chinese data)."""
        if lang == "en":
            return self._line_en()
        y, m = self.month.split("-")
        head = f"{int(y)}年{int(m)}月"
        if not self.units:
            return f"{head}：尚无单位报送"
        done = self.of("published")
        text = f"{head}：{len(self.units)}个单位中{len(done)}个已报送"
        late = [u.unit for u in done if u.late]
        if late:
            text += f"（{'、'.join(late)}逾期）"
        for status in ("pending", "returned", "missing"):
            names = [u.unit for u in self.of(status)]
            if names:
                text += f"，{'、'.join(names)}{STATUS_ZH[status]}"
        return text

    def _line_en(self) -> str:
        if not self.units:
            return f"{self.month}: no unit has reported yet"
        done = self.of("published")
        parts = [f"{self.month}: {len(done)} of {len(self.units)} units reported"]
        late = sum(u.late for u in done)
        if late:
            parts.append(f"{late} late")
        parts += [f"{len(self.of(s))} {w}" for s, w in (("pending", "awaiting review"), ("returned", "returned"),
                                                          ("missing", "missing")) if self.of(s)]
        return ", ".join(parts)

    def as_json(self) -> dict:
        return {"month": self.month, "units": [u.as_json() for u in self.units]}


def _late(at: str, due: dt.date) -> bool:
    try:
        return dt.datetime.fromisoformat(at).date() > due
    except ValueError:
        return False


def month_report(month: str, states: dict[str, UnitState], rows: dict[str, int], expected: Iterable[str],
                 settings: Settings, start: dt.date | None = None) -> MonthReport:
    """Status of every unit expected in or reporting for `month`; missing ones last, each group by name; 逾期 only
    where it counts (`counts_late`, with `start` the day the store began)."""
    y, m = map(int, month.split("-"))
    due = deadline(dt.date(y, m, 1), settings.deadline_day)
    counted = counts_late(month, due, settings, start)

    def late(at: str) -> bool:
        return counted and _late(at, due)

    out = []
    names = list(dict.fromkeys([*states, *expected, *settings.expected_units]))
    for name in names:
        st = states.get(name)
        if st is not None and st.published:
            out.append(UnitReport(name, "published", rows.get(name, 0), st.submitted_at, late(st.published_at),
                                  st.submitted_by, st.published_at, pending_update=st.pending is not None))
        elif st is not None and st.pending is not None:
            p = st.pending
            out.append(UnitReport(name, "pending", int(p.get("rows", 0)), p.get("time", ""),
                                  late(p.get("time", "")), p.get("user", "")))
        elif st is not None and st.returned is not None:
            r = st.returned
            out.append(UnitReport(name, "returned", int(r.get("rows", 0)), r.get("time", ""),
                                  late(r.get("time", "")), r.get("user", ""), reason=r.get("reason", "")))
        else:
            out.append(UnitReport(name, "missing", 0, "", False))
    order = {"published": 0, "pending": 1, "returned": 2, "missing": 3}
    out.sort(key=lambda u: order[u.status])
    return MonthReport(month, due, tuple(out), counted)
