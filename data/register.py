"""The year's project list (年度重点项目名单, the register; DOMAIN.md Part 3): imported per year and grouped into units
like a submission, a unit's part replaced only when asked (增补 and 调出 are re-imports of the unit), every version
kept in history and every change audit-logged, under the store's lock with atomic writes (a file is read by
data.register_read). Also what completion reads from a store (StoreBasis) and the rows a unit's 底稿 or online form
starts from (prefill)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.files import atomic_write_bytes, read_parquet, sha256_bytes
from data.ingest.basis import Basis, name_key
from data.ingest.build import looks_like_county
from data.register_read import RegisterRead, read_register
from data.mappings import load as load_mappings
from data.months import month_key, parse_month
from data.problems import Problem, format_report
from data.schema import ALL_COLUMNS, FULL_SCHEMA, ZH
from data.store import Store, StoreError, frame_to_parquet_bytes, history_stamp
from data.submissions import replay, unit_column

DIR = "register"
ACTION = "register"  # the audit action of a register import (its units say what each part's change was)
_BAD_UNIT = re.compile(r"[/\\\x00-\x1f]")
LIST_NAMES = 20


# ---- where a register is kept ---------------------------------------------------------------------------------------
def _root(store: Store) -> Path:
    return store.root / DIR


def part_path(store: Store, year: int, unit: str) -> Path:
    """register/YYYY/<unit>.parquet: one unit's part of the year's list."""
    return _root(store) / str(year) / f"{unit}.parquet"


def history_dir(store: Store, year: int) -> Path:
    return _root(store) / "history" / str(year)


def years(store: Store) -> list[int]:
    """The years that have a register, ascending."""
    root = _root(store)
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
                  and any(p.glob("*.parquet")))


def units(store: Store, year: int) -> list[str]:
    """The units with a part in the year's register, by name."""
    d = _root(store) / str(year)
    return sorted(p.stem for p in d.glob("*.parquet")) if d.is_dir() else []


def read(store: Store, year: int) -> dict[str, pl.DataFrame]:
    """The year's register: each unit's part, with the columns its file had."""
    return {u: read_parquet(part_path(store, year, u)) for u in units(store, year)}


def read_part(store: Store, year: int, unit: str) -> pl.DataFrame:
    """One unit's part of the year's register."""
    return read_parquet(part_path(store, year, unit))


def table(store: Store, year: int) -> pl.DataFrame:
    """The year's register as one table: a `unit` column, then every attribute column (null where a part has none)."""
    parts = read(store, year)
    cols = [c.name for c in ALL_COLUMNS if c.attribute]
    frames = [f.with_columns(pl.lit(u).alias("unit")) for u, f in parts.items()]
    if not frames:
        return pl.DataFrame(schema={"unit": pl.String, **{c: FULL_SCHEMA[c] for c in cols}})
    full = pl.concat(frames, how="diagonal_relaxed")
    return full.select("unit", *(pl.col(c).cast(FULL_SCHEMA[c]) if c in full.columns
                                 else pl.lit(None, FULL_SCHEMA[c]).alias(c) for c in cols))


# ---- what completion reads from a store -------------------------------------------------------------------------------
class StoreBasis(Basis):
    """Completion's view of a store: the register, each unit's published months (the audit log read once), the units
    the store knows. Built per import; it caches what it reads."""

    def __init__(self, store: Store):
        self.store = store
        self._audit = store.audit()
        self._months = store.months()
        self._states: dict[str, dict] = {}
        self._snaps: dict[str, pl.DataFrame] = {}
        self._register: dict[int, dict[str, pl.DataFrame]] = {}
        self._known: dict[str, str] | None = None

    def register(self, year: int) -> dict[str, pl.DataFrame]:
        if year not in self._register:
            self._register[year] = read(self.store, year)
        return self._register[year]

    def _snap(self, m: str) -> pl.DataFrame:
        if m not in self._snaps:
            self._snaps[m] = self.store.read(m)
        return self._snaps[m]

    def _units(self, m: str) -> dict:
        if m not in self._states:
            counties = self._snap(m).get_column("county").unique(maintain_order=True).to_list()
            self._states[m] = replay(self._audit, m, counties)
        return self._states[m]

    def published(self, unit: str, month: str, *, inclusive: bool = False) -> tuple[str, pl.DataFrame] | None:
        for m in reversed([m for m in self._months if m < month or (inclusive and m == month)]):
            states = self._units(m)
            if unit in states and states[unit].published:
                snap = self._snap(m)
                return m, snap.filter(unit_column(snap, states) == unit)
        return None

    def unit_of(self, project_id: str, month: str) -> str | None:
        for m in reversed([m for m in self._months if m < month]):
            snap = self._snap(m)
            hit = snap.with_columns(unit_column(snap, self._units(m))).filter(pl.col("project_id") == project_id)
            if hit.height:
                return hit.get_column("unit")[0]
        return None

    def known_units(self) -> dict[str, str]:
        if self._known is None:
            known: dict[str, str] = {}
            for rec in self._audit:
                info = rec.get("units")
                if isinstance(info, dict):
                    for name, st in info.items():
                        if isinstance(st, dict):
                            known[name] = st.get("kind", "county")
            if self._months:
                for name, st in self._units(self._months[-1]).items():
                    known.setdefault(name, st.kind)
            for name in self.store.settings().expected_units:
                known.setdefault(name, "county" if looks_like_county(name, {}) else "named")
            self._known = known
        return self._known


# ---- importing it ----------------------------------------------------------------------------------------------------
@dataclass
class RegisterOutcome:
    """What a register import did (or a check would do): the year, rows, problems, each unit's change, the record."""

    ok: bool
    year: int
    rows: int
    errors: list[Problem]
    warnings: list[Problem]
    changes: dict[str, str] = field(default_factory=dict)
    record: dict | None = None
    read: RegisterRead | None = None

    @property
    def unknown_headers(self) -> list[str]:
        return list(self.read.result.unknown_headers) if self.read else []

    def report(self, limit: int = 50) -> str:
        return format_report(self.errors, self.warnings, limit)


def _ids(frame: pl.DataFrame) -> list[str]:
    return frame.get_column("project_id").to_list()


def change_of(old: pl.DataFrame | None, new: pl.DataFrame) -> dict:
    """A unit's register change: 增补 (added), 调出 (removed) and changed projects."""
    new_ids = _ids(new)
    if old is None:
        return {"added": new_ids, "removed": [], "changed": []}
    old_ids = set(_ids(old))
    common = [p for p in new_ids if p in old_ids]
    cols = [c for c in new.columns if c in old.columns]
    a = {r["project_id"]: r for r in old.select(cols).to_dicts()}
    changed = [r["project_id"] for r in new.select(cols).to_dicts()
               if r["project_id"] in a and r != a[r["project_id"]]] if common else []
    changed += [p for p in common if set(old.columns) != set(new.columns) and p not in changed]
    return {"added": [p for p in new_ids if p not in old_ids], "removed": [p for p in _ids(old) if p not in set(new_ids)],
            "changed": changed}


def _names(frame: pl.DataFrame, ids: list[str]) -> str:
    names = dict(zip(_ids(frame), frame.get_column("project_name").to_list()))
    shown = "、".join(f"“{names.get(p, p)}”" for p in ids[:LIST_NAMES])
    return shown + ("等" if len(ids) > LIST_NAMES else "")


def change_text(old: pl.DataFrame | None, new: pl.DataFrame, change: dict) -> str:
    """'原 40 项 → 新 42 项：增补 3 项（…）、调出 1 项（…）、属性有变化 2 项'."""
    before = old.height if old is not None else 0
    parts = [f"增补 {len(change['added'])} 项" + (f"（{_names(new, change['added'])}）" if change["added"] else "")]
    parts.append(f"调出 {len(change['removed'])} 项" + (f"（{_names(old, change['removed'])}）"
                                                        if change["removed"] and old is not None else ""))
    parts.append(f"属性有变化 {len(change['changed'])} 项")
    return f"原 {before} 项 → 新 {new.height} 项：" + "、".join(parts)


def _clashes(store: Store, year: int, parts: dict[str, pl.DataFrame]) -> list[str]:
    """A project_id another unit's part of the year already holds (or two new units share)."""
    seen: dict[str, str] = {}
    for u, f in read(store, year).items():
        if u not in parts:
            seen |= {p: u for p in _ids(f)}
    out = []
    for u, f in parts.items():
        for pid, name in f.select("project_id", "project_name").iter_rows():
            other = seen.get(pid)
            if other is not None and other != u:
                out.append(f"项目编码“{pid}”（{name}）同时出现在“{other}”和“{u}”的{year}年度名单中：同一项目只能属于一个单位。")
            seen.setdefault(pid, u)
    return out


def _bad_unit(unit: str) -> str | None:
    if not unit.strip() or _BAD_UNIT.search(unit) or unit.startswith(".") or len(unit) > 60:
        return f"单位名称“{unit}”不能作为名单的单位（不能为空、以点开头、含 / \\ 或控制字符，最长 60 字）：请改用 --unit 指定。"
    return None


def import_register(source: str | Path | bytes, *, store: Store, year: int, filename: str | None = None,
                    sheet: str | None = None, unit: str | None = None, replace: bool = False, user: str = "",
                    dry_run: bool = False) -> RegisterOutcome:
    """Read, check and store a register file: each unit's part is new, or replaces the unit's part only with
    `replace` (增补/调出); a refused import writes nothing."""
    rr = read_register(source, year=year, filename=filename, sheet=sheet, unit=unit, mappings=load_mappings(store),
                       basis=StoreBasis(store))
    res = rr.result
    errors, warnings = list(res.errors), list(res.warnings)
    rows = res.frame.height if res.frame is not None else len(res.source_rows)
    out = RegisterOutcome(False, year, rows, errors, warnings, read=rr)
    if errors:
        return out
    errors.extend(Problem("单位名称无效", "", None, u, why) for u in rr.parts if (why := _bad_unit(u)))
    errors.extend(Problem("项目重复", ZH["project_id"], None, "", msg) for msg in _clashes(store, year, rr.parts))
    existing = {u: pl.read_parquet(part_path(store, year, u)) for u in rr.parts if part_path(store, year, u).exists()}
    out.changes = {u: change_text(existing.get(u), f, change_of(existing.get(u), f)) for u, f in rr.parts.items()}
    if existing:
        what = "；".join(f"{u}：{out.changes[u]}" for u in existing)
        names = "、".join(existing)
        if replace:
            warnings.append(Problem("将替换名单", "", None, str(year), (
                f"{year}年度名单中{names}已有数据，将被替换（旧版本保存在历史记录中），其他单位不变：{what}。")))
        elif dry_run:
            warnings.append(Problem("名单已有数据", "", None, str(year), (
                f"{year}年度名单中{names}已有数据：正式导入时需选择“替换”（命令行加 --replace）：{what}。")))
        else:
            errors.append(Problem("名单已有数据", "", None, str(year), (
                f"{year}年度名单中{names}已有数据，未覆盖：增补或调出项目时，请导入该单位完整的新名单并选择“替换”"
                f"（命令行加 --replace）；其他单位不受影响。（{what}）")))
    if errors or dry_run:
        out.ok = not errors
        return out
    try:
        out.record = _write(store, year, rr, replace, user)
        out.ok = True
    except StoreError as e:
        errors.append(Problem("写入被拒绝", "", None, str(year), str(e)))
    except OSError as e:
        errors.append(Problem("写入失败", "", None, "", (
            f"写入数据库失败（{e.strerror or e}）：库中原有数据未改变。请检查磁盘空间和目录权限后重试。")))
    return out


def _write(store: Store, year: int, rr: RegisterRead, replace: bool, user: str) -> dict:
    """Write each unit's part (the old one to history first) and one audit record, under the store's lock."""
    res = rr.result
    with store.lock():
        clash = _clashes(store, year, rr.parts)
        if clash:
            raise StoreError(clash[0])
        old = {u: pl.read_parquet(part_path(store, year, u)) for u in rr.parts if part_path(store, year, u).exists()}
        if old and not replace:
            raise StoreError(f"{year}年度名单中{'、'.join(old)}已有数据，未覆盖：请选择“替换”（命令行加 --replace）。")
        units = {}
        for u, frame in rr.parts.items():
            target = part_path(store, year, u)
            data = frame_to_parquet_bytes(frame)
            if target.exists():
                atomic_write_bytes(history_dir(store, year) / f"{u}.{history_stamp()}.parquet", target.read_bytes())
            atomic_write_bytes(target, data)
            change = change_of(old.get(u), frame)
            county = set(frame.get_column("county").unique()) == {u}
            units[u] = {"kind": "county" if county else "named", "rows": frame.height, "replaced": u in old,
                        "added": change["added"], "removed": change["removed"], "changed": change["changed"],
                        "columns": list(frame.columns), "stored_sha256": sha256_bytes(data)}
        return store.append_audit(ACTION, user=user, month="", year=year, source=res.filename or "", sha256=res.sha256,
                                  rows=sum(f.height for f in rr.parts.values()), units=units)


def history(store: Store, year: int) -> list[dict]:
    """The year's register changes, oldest first: when, who, which file, and per unit its rows, 增补 and 调出."""
    return [r for r in store.audit() if r.get("action") == ACTION and r.get("year") == year]


# ---- the rows a unit starts a month from (底稿, 在线填报) -----------------------------------------------------------
def prefill(store: Store, unit: str, month: str) -> tuple[str, pl.DataFrame] | None:
    """The rows a unit's 底稿 (or online form) for `month` starts from, and where they come from: with a register of
    the month's year, the unit's register projects in its order (attributes from the register, everything else from
    the unit's latest published month before, matched by code, else by name); without one, that month's rows as
    they were published. None when there is neither."""
    key = month_key(parse_month(month))
    last = store.last_published(unit, key)
    path = part_path(store, int(key[:4]), unit)
    if not path.exists():
        return last
    part = read_parquet(path)
    before = {r["project_id"]: r for r in last[1].to_dicts()} if last else {}
    by_name = {name_key(r["project_name"]): r for r in before.values() if r.get("project_name")}
    rows = []
    for reg in part.to_dicts():
        prev = before.get(reg["project_id"]) or by_name.get(name_key(reg["project_name"] or "")) or {}
        row = {c.name: prev.get(c.name) for c in ALL_COLUMNS}
        row |= {c: reg[c] for c in part.columns}
        rows.append(row)
    frame = pl.DataFrame(rows, schema=FULL_SCHEMA, orient="row") if rows else pl.DataFrame(schema=FULL_SCHEMA)
    where = f"{key[:4]}年度名单" + (f"、{last[0]}已发布的数据" if last else "")
    return where, frame


def template_frame(store: Store, unit: str, month: str) -> tuple[str | None, pl.DataFrame | None]:
    """(where the rows come from, the rows) for a unit's 底稿 of `month` (None, None when there are none)."""
    got = prefill(store, unit, month)
    return (got[0], got[1]) if got else (None, None)


__all__ = ["ACTION", "RegisterOutcome", "StoreBasis", "change_of", "change_text", "history", "import_register",
           "part_path", "prefill", "read", "read_part", "table", "template_frame", "units", "years"]
