"""Remembered mappings an analyst taught the importer (a county's own header or value → the canonical one), kept
with the store in mappings.json, applied to every later import (a header may be taught for one unit only), listed,
removable and audit-logged."""
from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass, field

from data.files import atomic_write_bytes
from data.schema import ALL_COLUMNS, COLUMN_BY_NAME, normalize_header, split_unit, synonym_index
from data.store import Store, StoreError
from data.text import shown_time

COLUMNS = ALL_COLUMNS  # every column a header may be taught to (the text columns too)
# A canonical column by its Chinese header, with or without its unit ('开工累计完成投资' = '开工累计完成投资(万元)').
_BY_ZH = ({normalize_header(c.zh): c.name for c in COLUMNS} | {split_unit(c.zh)[0]: c.name for c in COLUMNS}
          | {c.name: c.name for c in COLUMNS})


@dataclass(frozen=True)
class Mappings:
    """Taught headers (normalised source header → column name; for every unit, and per unit) and values (column name →
    source → canonical)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, dict[str, str]] = field(default_factory=dict)  # unit → its own taught headers

    def column_for(self, header: object, unit: str | None = None) -> str | None:
        """The column a taught header names: the unit's own mapping first, then the one for every unit."""
        key = normalize_header(header)
        if unit and key in self.units.get(unit, {}):
            return self.units[unit][key]
        return self.columns.get(key)

    def value_for(self, column: str, value: str) -> str | None:
        return self.values.get(column, {}).get(value)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(kind, column 中文, source, canonical) for listing."""
        out = [("列名", COLUMN_BY_NAME[c].zh, src, COLUMN_BY_NAME[c].zh) for src, c in self.columns.items()]
        out += [("列名", COLUMN_BY_NAME[c].zh, src, f"{COLUMN_BY_NAME[c].zh}（仅{unit}）")
                for unit, cols in self.units.items() for src, c in cols.items()]
        out += [("取值", COLUMN_BY_NAME[c].zh, src, canon) for c, m in self.values.items() for src, canon in m.items()]
        return out


NONE = Mappings()


def _path(store: Store):
    return store.root / "mappings.json"


def load(store: Store | None) -> Mappings:
    """The store's remembered mappings (none when it has none)."""
    if store is None or not _path(store).exists():
        return NONE
    raw = json.loads(_path(store).read_text(encoding="utf-8"))
    return Mappings(dict(raw.get("columns", {})), {k: dict(v) for k, v in raw.get("values", {}).items()},
                    {k: dict(v) for k, v in raw.get("units", {}).items()})


def column_name(text: str) -> str:
    """A canonical column given by its Chinese header (or English name); StoreError naming the choices otherwise."""
    name = _BY_ZH.get(normalize_header(text)) or _BY_ZH.get(text)
    if name is None:
        raise StoreError(f"“{text}”不是标准列名：请写标准表头，如 {'、'.join(c.zh for c in COLUMNS[:6])} 等"
                         "（完整列表见 README“Snapshot columns”）。")
    return name


def _save(store: Store, m: Mappings, audit: dict) -> None:
    body = {"columns": m.columns, "values": m.values, **({"units": m.units} if m.units else {})}
    data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(_path(store), data)
    store.append_audit(**audit, month="")


def header_key(source: object) -> str:
    """How a taught header is kept: folded, its unit set aside (完成额(万元) and 完成额 are one heading)."""
    h = normalize_header(source)
    return split_unit(h)[0] or h


def _recognised(source: str) -> str | None:
    """The column (or derived amount) the contract already reads a header as, or None."""
    from data.ingest.headings import recognise  # the heading vocabulary lives with the importer

    r = recognise(source)
    return r.reads if r is not None else None


def add_column(store: Store, source: str, canonical: str, *, user: str = "", unit: str | None = None) -> str:
    """Remember that header `source` means the column `canonical` (Chinese header, with or without its unit) — for
    every unit, or only for `unit`; returns the column name."""
    name = column_name(canonical)
    key = header_key(source)
    if not key:
        raise StoreError("原表头不能为空。")
    known = _recognised(source)
    if known is not None and known != name:
        shown = COLUMN_BY_NAME[known].zh if known in COLUMN_BY_NAME else _derived_zh(known)
        raise StoreError(f"“{source}”已是标准表头“{shown}”的写法，不能再对应“{canonical}”。")
    unit = (unit or "").strip() or None
    with store.lock():
        m = load(store)
        if unit:
            new = Mappings(m.columns, m.values, {**m.units, unit: {**m.units.get(unit, {}), key: name}})
        else:
            new = Mappings({**m.columns, key: name}, m.values, m.units)
        _save(store, new, {"user": user, "action": "mapping-add", "kind": "column", "source": source, "canonical": name,
                           **({"unit": unit} if unit else {})})
    return name


def _derived_zh(reads: str) -> str:
    from data.schema import DERIVED_READS

    return DERIVED_READS.get(reads, reads)


def add_value(store: Store, column: str, source: str, canonical: str, *, user: str = "") -> str:
    """Remember that in `column` the value `source` means `canonical` (one of the column's values)."""
    name = column_name(column)
    col = COLUMN_BY_NAME[name]
    allowed = col.allowed or (("是", "否") if col.kind == "bool" else None)
    if allowed is None:
        raise StoreError(f"“{col.zh}”不是有固定取值的列，不需要取值对应。")
    if canonical not in allowed:
        raise StoreError(f"“{canonical}”不是“{col.zh}”的取值：可选 {'、'.join(allowed)}。")
    if not source.strip():
        raise StoreError("原取值不能为空。")
    with store.lock():
        m = load(store)
        values = {**m.values, name: {**m.values.get(name, {}), source.strip(): canonical}}
        _save(store, Mappings(m.columns, values, m.units), {"user": user, "action": "mapping-add", "kind": "value",
                                                             "column": name, "source": source.strip(),
                                                             "canonical": canonical})
    return name


def remove(store: Store, source: str, *, column: str | None = None, user: str = "", unit: str | None = None) -> None:
    """Forget a taught header (`source`; for every unit, or `unit`'s own), or a taught value of `column`."""
    unit = (unit or "").strip() or None
    with store.lock():
        m = load(store)
        if column is None:
            key = header_key(source) if header_key(source) in (m.units.get(unit, {}) if unit else m.columns) \
                else normalize_header(source)
            taught = m.units.get(unit, {}) if unit else m.columns
            if key not in taught:
                where = f"{unit}的" if unit else ""
                raise StoreError(f"没有记住的{where}表头“{source}”：用 python -m data mapping list 查看。")
            kept = {k: v for k, v in taught.items() if k != key}
            if unit:
                units = {u: (kept if u == unit else cols) for u, cols in m.units.items()}
                new = Mappings(m.columns, m.values, {u: cols for u, cols in units.items() if cols})
            else:
                new = Mappings(kept, m.values, m.units)
            audit = {"kind": "column", "source": source, **({"unit": unit} if unit else {})}
        else:
            name = column_name(column)
            if source not in m.values.get(name, {}):
                raise StoreError(f"“{COLUMN_BY_NAME[name].zh}”没有记住的取值“{source}”：用 python -m data mapping list 查看。")
            values = {k: ({s: c for s, c in v.items() if s != source} if k == name else v) for k, v in m.values.items()}
            new = Mappings(m.columns, {k: v for k, v in values.items() if v}, m.units)
            audit = {"kind": "value", "column": name, "source": source}
        _save(store, new, {"user": user, "action": "mapping-remove", **audit})


def choices(column: str) -> tuple[str, ...]:
    """The canonical values a value mapping of `column` (name or Chinese header) may point at; () for a free column."""
    col = COLUMN_BY_NAME[column_name(column)]
    return col.allowed or (("是", "否") if col.kind == "bool" else ())


def _likeness(text: str, keys: set[str]) -> float:
    """How close `text` is to the nearest of `keys` (0…1): difflib's ratio, lifted when one contains the other
    (a county's header often adds or drops a word: 项目名 / 项目名称, 建设状况 / 建设状态)."""
    best = 0.0
    for k in keys:
        if not k:
            continue
        r = difflib.SequenceMatcher(None, text, k).ratio()
        if len(k) >= 2 and len(text) >= 2 and (k in text or text in k):
            r = max(r, 0.5 + 0.5 * min(len(k), len(text)) / max(len(k), len(text)))
        best = max(best, r)
    return best


def _ranked(text: str, candidates: list[tuple[str, set[str]]]) -> list[str]:
    """The candidates' labels, the closest to `text` first (ties keep the declared order)."""
    scores = [(-_likeness(text, keys), i, label) for i, (label, keys) in enumerate(candidates)]
    return [label for _, _, label in sorted(scores)]


def suggest_columns(header: str) -> list[str]:
    """Every canonical column's Chinese header, the likeliest meaning of the unrecognised `header` first (compared
    with each column's header, its other accepted headers and its English name, units set aside)."""
    text = split_unit(header)[0] or normalize_header(header)
    candidates = [(c.zh, {normalize_header(h) for h in (c.zh, *c.aliases, c.en)}
                   | {split_unit(h)[0] for h in (c.zh, *c.aliases)}) for c in COLUMNS]
    return _ranked(text, candidates)


def suggest_values(column: str, value: str) -> list[str]:
    """The column's canonical values, the likeliest meaning of the unrecognised `value` first (compared with each
    value and the ways of writing it the schema already knows)."""
    name = column_name(column)
    written = synonym_index(name)
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    candidates = [(v, {v.lower(), *(w.lower() for w, canon in written.items() if canon == v)}) for v in choices(name)]
    return _ranked(text, candidates)


def listing(store: Store) -> list[dict]:
    """The remembered mappings for a page: kind (列名/取值), column (name and 中文), source, canonical, and who taught
    it when (from the audit log's latest mapping-add of it; '' when the log does not say)."""
    taught: dict[tuple, dict] = {}
    for rec in store.audit():
        if rec.get("action") != "mapping-add":
            continue
        if rec.get("kind") == "column":
            taught[("column", rec.get("unit") or "", header_key(rec.get("source", "")))] = rec
        elif rec.get("kind") == "value":
            taught[("value", rec.get("column"), rec.get("source"))] = rec
    m = load(store)
    out = [{"kind": "列名", "column": c, "source": src, "canonical": COLUMN_BY_NAME[c].zh, "unit": "",
            "_rec": taught.get(("column", "", src), {})} for src, c in m.columns.items()]
    out += [{"kind": "列名", "column": c, "source": src, "canonical": COLUMN_BY_NAME[c].zh, "unit": unit,
             "_rec": taught.get(("column", unit, src), {})} for unit, cols in m.units.items() for src, c in cols.items()]
    out += [{"kind": "取值", "column": c, "source": src, "canonical": canon, "unit": "",
             "_rec": taught.get(("value", c, src), {})} for c, vals in m.values.items() for src, canon in vals.items()]
    for row in out:
        rec = row.pop("_rec")
        if row["kind"] == "列名" and header_key(rec.get("source", "")) == row["source"]:
            row["source"] = rec["source"]   # the header as the analyst saw it, not its folded key (remove folds it)
        row |= {"column_zh": COLUMN_BY_NAME[row["column"]].zh, "user": rec.get("user", ""),
                "time": shown_time(rec.get("time"))}
    return out
