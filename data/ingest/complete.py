"""Completion (DOMAIN.md Part 3): a month's report may carry progress only. Each attribute it does not have is taken
from the year's register, else from the same project in the unit's latest published month before; every other
column it does not have is carried from that month; an absent status is carried or worked out from the start date.
Codes of a report without 项目编码 come from the register, then the unit's published months, then are made."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from data.ingest.basis import Basis, Rows, made_code, name_key
from data.ingest.result import Completion, ImportResult
from data.ingest.values import last_day
from data.months import month_key
from data.problems import Problem, show_value
from data.schema import ALL_COLUMNS, ATTRIBUTES, COLUMN_BY_NAME, TEXT_COLUMN_NAMES, ZH

EPS = 1e-6
# Carried only from a month of the same year (a year-to-date amount starts again in January). DOMAIN.md says
# "carried"; carrying December's 本年资金到位 into January would be last year's money: a decision, see README.
SAME_YEAR_ONLY = {"funds_in_place_ytd"}
MISSING_LIST = 20  # rows named one by one in a warning; the rest counted


def _index(frame: pl.DataFrame, unit_of) -> tuple[dict, dict, list[dict]]:
    rows = frame.to_dicts()
    by_id = {r["project_id"]: r for r in rows if r.get("project_id")}
    by_name = {}
    for r in rows:
        if r.get("project_name"):
            by_name.setdefault((unit_of(r), name_key(r["project_name"])), r)
    return by_id, by_name, rows


def _differs(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) > EPS
    return a != b


@dataclass
class _Tally:
    """Where one column's completed values came from, counted."""

    register: int = 0
    months: Counter = field(default_factory=Counter)
    derived: Counter = field(default_factory=Counter)
    none: int = 0


class Completer:
    """Completes one report (its Rows) for its month and unit(s) against a Basis; findings go into `res`."""

    def __init__(self, rows: Rows, res: ImportResult, month: dt.date, basis: Basis, unit: str | None,
                 register_year: int | None = None):
        self.rows, self.res, self.month, self.basis, self.unit = rows, res, month, basis, unit
        self.key = month_key(month)
        self.month_end = last_day(month.year, month.month)
        self.register_year = register_year if register_year is not None else month.year
        self.tally: dict[str, _Tally] = {}
        self.unreported: set[tuple[str, int]] = set()  # (中文列名, source row): a null that means 未填报

    # ---- the row's unit, its register row, its row last month -----------------------------------------------------
    def _units(self) -> list[str | None]:
        county = self.rows.values["county"]
        return [self.unit or county[i] for i in range(self.rows.n)]

    def run(self) -> set[tuple[str, int]]:
        v, n = self.rows.values, self.rows.n
        self.unit_of = self._units()
        register = self.basis.register(self.register_year)
        self.reg_cols = {u: set(f.columns) for u, f in register.items()}
        self.reg_unit: dict[str, str] = {}
        self.reg_by_id: dict[str, dict] = {}
        self.reg_by_name: dict[tuple, dict] = {}
        for u, frame in register.items():
            by_id, by_name, _ = _index(frame, lambda r, u=u: u)
            for pid in by_id:
                self.reg_unit[pid] = u
            self.reg_by_id |= by_id
            self.reg_by_name |= by_name
        self.last: dict[str, tuple[str, dict, dict]] = {}
        self.upto: dict[str, tuple[dict, dict, str]] = {}
        self._loaded: set[str] = set()
        for u in dict.fromkeys(x for x in self.unit_of if x):
            self._load_last(u)
        if not self.rows.has_id and self.rows.has("project_name"):
            self._codes()
        self.reg_row: list[dict | None] = []
        for i in range(n):
            u, pid, name = self.unit_of[i], v["project_id"][i], v["project_name"][i]
            reg = self.reg_by_id.get(pid) if pid else None
            if reg is None and name:
                reg = self.reg_by_name.get((u, name_key(name)))
            if u is None and (reg is not None or pid):
                # a report without 县区 or unit: the project's unit is the register's, else the one that published it
                u = self.reg_unit[reg["project_id"]] if reg is not None else self.basis.unit_of(pid, self.key)
                if u is not None:
                    self.unit_of[i] = u
                    self._load_last(u)
            self.reg_row.append(reg)
        self.last_row: list[tuple[str, dict] | None] = []
        for i in range(n):
            u, pid, name = self.unit_of[i], v["project_id"][i], v["project_name"][i]
            last = None
            if u in self.last:
                m, by_id, by_name = self.last[u]
                row = (by_id.get(pid) if pid else None) or (by_name.get((u, name_key(name))) if name else None)
                last = (m, row) if row is not None else None
            self.last_row.append(last)
        self._attributes()
        self._ytd()
        self._carried()
        self._status()
        self._register_checks()
        self._notes()
        return self.unreported

    # ---- codes ------------------------------------------------------------------------------------------------------
    def _codes(self) -> None:
        """Codes for a report without 项目编码: the register's, else the unit's latest published month's (up to this
        month, by name), else made from 县区 and the name; two rows of one unit with one name are an error."""
        v, res = self.rows.values, self.res
        codes, seen, new = [], {}, []
        gives = []
        for i, (src, name) in enumerate(zip(self.rows.source_rows, v["project_name"])):
            gives.append(True)  # a row without a name has no code either: the required rule names both cells
            if not name:
                codes.append(None)
                continue
            u = self.unit_of[i]
            key = (u, name_key(name))
            if key in seen:
                res.errors.append(Problem("项目名称重复", ZH["project_name"], src, name, (
                    f"文件没有“项目编码”列，项目按名称对应，但第 {seen[key]} 行和第 {src} 行的项目名称相同（“{name}”）："
                    "请改为不同的名称，或增加“项目编码”列。")))
            seen.setdefault(key, src)
            reg = self.reg_by_name.get(key)
            up = self.upto.get(u)
            known = up[1].get(key) if up else None
            if reg is not None:
                codes.append(reg["project_id"])
            elif known is not None:
                codes.append(known["project_id"])
            else:  # a row without 县区 is reported as such; its code is made as if the county were blank
                codes.append(made_code(v["county"][i] or (u if u and self._county_unit(u) else ""), name))
                new.append((src, name))
        v["project_id"] = codes
        self.rows.given["project_id"] = gives
        where = "、".join(f"{u} {up[2]}" for u, up in self.upto.items())
        basis = "、".join(x for x in (f"{self.register_year}年度名单" if self.reg_by_name else "", where) if x)
        text = (f"文件没有“项目编码”列：按项目名称与已发布的数据（{basis or '库中没有这些单位此前的数据'}）对应，"
                f"{len(codes) - len(new)} 个项目沿用原编码，{len(new)} 个为新项目（已按县区和名称生成编码）")
        if new:
            text += "：" + "、".join(f"第 {r} 行“{n}”" for r, n in new[:MISSING_LIST]) + ("等" if len(new) > MISSING_LIST else "")
        res.warnings.append(Problem("按名称对应编码", ZH["project_id"], None, "",
                                    text + "。有国家统一的 24 位项目代码时，请填入“项目编码”列。"))

    def _load_last(self, u: str) -> None:
        """The unit's latest published month before this one (and, to find codes by name, up to this one)."""
        if u in self._loaded:
            return
        self._loaded.add(u)
        got = self.basis.published(u, self.key)
        if got:
            self.last[u] = (got[0], *_index(got[1], lambda r, u=u: u)[:2])
        if not self.rows.has_id:
            up = self.basis.published(u, self.key, inclusive=True)
            if up:
                self.upto[u] = (*_index(up[1], lambda r, u=u: u)[:2], up[0])

    def _county_unit(self, unit: str | None) -> bool:
        return bool(unit) and self.basis.known_units().get(unit, "county") == "county"

    # ---- filling ------------------------------------------------------------------------------------------------------
    def _fill(self, name: str, i: int, value, source: str, month: str = "") -> None:
        """Set a value the file did not give, counting where it came from (a null counts as none)."""
        self.rows.values[name][i] = value
        t = self.tally.get(name)
        if t is None:
            t = self.tally[name] = _Tally()
        if value is None:
            t.none += 1
        elif source == "register":
            t.register += 1
        elif source == "month":
            t.months[month] += 1
        elif source != "none":
            t.derived[source] += 1

    def _attributes(self) -> None:
        """Each attribute the file does not give a row: the register's value, else last month's, else none."""
        g = self.rows.given
        for name in ATTRIBUTES:
            if name == "project_id" or all(g[name]):
                continue
            for i in range(self.rows.n):
                if g[name][i]:
                    continue
                reg = self.reg_row[i]
                if reg is not None and name in self.reg_cols[self.reg_unit[reg["project_id"]]]:
                    self._fill(name, i, reg[name], "register")
                elif self.last_row[i] is not None and name in self.last_row[i][1]:
                    m, row = self.last_row[i]
                    self._fill(name, i, row[name], "month", m)
                else:
                    self._fill(name, i, None, "none")

    def _previous(self, i: int, name: str, same_year: bool = False):
        """(month, value) of the row's project in the unit's latest published month before, or None."""
        last = self.last_row[i]
        if last is None or name not in last[1]:
            return None
        if same_year and last[0][:4] != self.key[:4]:
            return None
        return last[0], last[1][name]

    def _ytd(self) -> None:
        """本年累计 from the months' own amounts when the file has no ytd column; a disagreement when it has one."""
        v, g, amounts = self.rows.values, self.rows.given, self.rows.amounts
        if not amounts:
            return
        m = self.month.month
        every = all(k in amounts for k in range(1, m + 1))
        own = amounts.get(m)
        has_ytd = "completed_investment_ytd" in self.rows.present  # the file's own 本年累计 column
        off = []
        for i in range(self.rows.n):
            if every:
                cells = [amounts[k][i] for k in range(1, m + 1)]
                sums = None if all(c is None for c in cells) else sum(c or 0.0 for c in cells)
                how = "各月相加"
            else:
                prev = self._previous(i, "completed_investment_ytd", same_year=True) if m > 1 else None
                base = prev[1] if prev is not None and prev[1] is not None else 0.0
                sums = None if own is None or own[i] is None else round(base + own[i], 8)
                how = f"上月累计加当月（{prev[0]}）" if prev is not None else "当月完成额"
            if has_ytd:
                if sums is not None and v["completed_investment_ytd"][i] is not None and \
                        abs(sums - v["completed_investment_ytd"][i]) > 0.005:
                    off.append((self.rows.source_rows[i], v["project_name"][i], v["completed_investment_ytd"][i], sums))
            elif not g["completed_investment_ytd"][i]:
                self._fill("completed_investment_ytd", i, sums, how)
                g["completed_investment_ytd"][i] = sums is not None
        if off:
            lines = "；".join(f"第 {r} 行“{nm}”本年累计 {_num(a)}，按各月应为 {_num(b)}" for r, nm, a, b in off[:MISSING_LIST])
            self.res.warnings.append(Problem("本年累计与各月不符", ZH["completed_investment_ytd"], None, "", (
                f"{len(off)} 个项目的本年累计完成投资与各月完成额不一致（已按本年累计列导入）：{lines}"
                + ("等。" if len(off) > MISSING_LIST else "。"))))

    def _carried(self) -> None:
        """Every other column the file does not give: carried from the unit's latest published month (开工累计 keeps
        that month's amount before this year and adds this year's; the prior-years column when the file has it)."""
        v, g = self.rows.values, self.rows.given
        for col in ALL_COLUMNS:
            name = col.name
            if col.attribute or name in ("snapshot_month", "status", "completed_investment_ytd") or all(g[name]):
                continue
            for i in range(self.rows.n):
                if g[name][i]:
                    continue
                if name == "completed_investment_total":
                    self._total(i)
                    continue
                prev = self._previous(i, name, same_year=name in SAME_YEAR_ONLY)
                if prev is not None:
                    self._fill(name, i, prev[1], "month", prev[0])
                else:
                    self._fill(name, i, None, "none")
                if v[name][i] is None and col.unreported:
                    self.unreported.add((col.zh, self.rows.source_rows[i]))

    def _total(self, i: int) -> None:
        v = self.rows.values
        ytd = v["completed_investment_ytd"][i]
        name = "completed_investment_total"
        if self.rows.prior is not None and ytd is not None:
            self._fill(name, i, round((self.rows.prior[i] or 0.0) + ytd, 8), "以前年度累计加本年累计")
            return
        last = self.last_row[i]
        if last is not None and ytd is not None and last[1].get(name) is not None:
            m, row = last
            before = row[name] - (row["completed_investment_ytd"] or 0.0) if m[:4] == self.key[:4] else row[name]
            self._fill(name, i, round(before + ytd, 8), f"按{m}的以前年度累计加本年累计")
            return
        self._fill(name, i, None, "none")
        self.unreported.add((ZH[name], self.rows.source_rows[i]))

    def _status(self) -> None:
        """An absent status: carried from the unit's latest published month, else 在建 when started by the month's
        end, else 未开工 (a warning counts these)."""
        v, g = self.rows.values, self.rows.given
        if all(g["status"]):
            return
        guessed: Counter = Counter()
        for i in range(self.rows.n):
            if g["status"][i]:
                continue
            prev = self._previous(i, "status")
            if prev is not None and prev[1] is not None:
                self._fill("status", i, prev[1], "month", prev[0])
                continue
            start = v["actual_start"][i]
            status = "在建" if start is not None and start <= self.month_end else "未开工"
            guessed[status] += 1
            self._fill("status", i, status, "按实际开工时间推定")
        if guessed:
            parts = "、".join(f"{s} {k} 行" for s, k in guessed.items())
            self.res.warnings.append(Problem("建设状态推定", ZH["status"], None, "", (
                f"文件没有“建设状态”，上月也没有这些项目：已按实际开工时间推定（{parts}）——开工时间不晚于月末为在建，"
                "否则为未开工。如不符，请在文件中增加“建设状态”列。")))

    # ---- against the register ------------------------------------------------------------------------------------------
    def _register_checks(self) -> None:
        """Attribute values that differ from the register (the report's kept), and register projects not reported."""
        v, g = self.rows.values, self.rows.given
        diffs = []
        for i in range(self.rows.n):
            reg = self.reg_row[i]
            if reg is None:
                continue
            cols = self.reg_cols[self.reg_unit[reg["project_id"]]]
            for name in ATTRIBUTES:
                if name == "project_id" or name not in cols or not g[name][i]:
                    continue
                if _differs(v[name][i], reg[name]):
                    diffs.append(f"第 {self.rows.source_rows[i]} 行“{v['project_name'][i]}”{ZH[name]}：名单为 "
                                 f"{_shown(reg[name])}，本表为 {_shown(v[name][i])}")
        if diffs:
            self.res.warnings.append(Problem("与名单不一致", "", None, "", (
                f"{len(diffs)} 处属性与{self.register_year}年度名单不同，已按本表导入：" + "；".join(diffs[:MISSING_LIST])
                + ("等。" if len(diffs) > MISSING_LIST else "。") + "如名单有误，请重新导入该单位的名单（替换）。")))
        reported = {id(r) for r in self.reg_row if r is not None}
        units = {u for u in self.unit_of if u}
        for u in sorted(units):
            frame = self.basis.register(self.register_year).get(u)
            if frame is None:
                continue
            missing = [r for r in frame.to_dicts() if id(self.reg_by_id.get(r["project_id"])) not in reported]
            if missing:
                names = "、".join(f"“{r['project_name']}”" for r in missing[:MISSING_LIST])
                self.res.warnings.append(Problem("未报进度", ZH["project_name"], None, u, (
                    f"{u}在{self.register_year}年度名单中的 {len(missing)} 个项目本月没有报送进度：{names}"
                    + ("等" if len(missing) > MISSING_LIST else "") + "。如已调出名单，请重新导入该单位的名单（替换）。")))

    # ---- where the values came from ------------------------------------------------------------------------------------
    @property
    def filled(self) -> set[str]:
        """The columns the file did not have that completion gave a value to, for some row."""
        return {n for n, t in self.tally.items() if t.register or t.months or t.derived}

    def _notes(self) -> None:
        for name in ("completed_investment_ytd", "completed_investment_total"):  # sums the headings imply: warned
            t = self.tally.get(name)
            said = {h: k for h, k in (t.derived.items() if t else ()) if not h.startswith("按")}
            if said:
                parts = "、".join(f"{h} {k} 行" for h, k in said.items())
                self.res.warnings.append(Problem("按表头计算", ZH[name], None, "", f"{ZH[name]}按表头计算：{parts}。"))
        for name, t in self.tally.items():
            parts = []
            if t.register:
                parts.append(f"取自{self.register_year}年度名单（{t.register}项）")
            for m, k in sorted(t.months.items(), reverse=True):
                parts.append(f"沿用{m}（{k}项）")
            for how, k in t.derived.items():
                parts.append(f"{how}（{k}项）")
            filled = bool(parts)
            col = COLUMN_BY_NAME[name]
            if t.none:
                if col.unreported:
                    parts.append(f"{t.none}项未填报")
                elif filled or col.required:
                    parts.append(f"{t.none}项无")
            if not filled and name in TEXT_COLUMN_NAMES:
                continue  # a text column nothing gives: nothing to say (a ledger in our own layout has none)
            if parts:
                self.res.completions.append(Completion(name, col.zh, t.register, dict(t.months), dict(t.derived),
                                                       t.none, "，".join(parts)))


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _shown(value) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return _num(value)
    return show_value(value)
