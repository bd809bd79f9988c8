"""What the upload page's mapping picker is built on: the import result names what it did not recognise (headers,
and values of columns with fixed values, with their row counts), the likeliest canonical column or value comes
first, and the remembered mappings are listed with who taught them when."""
from __future__ import annotations

import pytest

from data import mappings
from data.ingest import import_file, read_ledger
from data.schema import ALL_COLUMNS, COLUMNS
from data.store import Store
from tests.factories import ledger_rows, valid_frame, write_table_xlsx


def _ledger(tmp_path, header: dict[str, str], values: dict[str, dict]) -> bytes:
    frame = valid_frame(6)
    headers, rows = ledger_rows(frame)
    for column, mapping in values.items():
        j = headers.index(column)
        for r in rows:
            r[j] = mapping.get(r[j], r[j])
    headers = [header.get(h, h) for h in headers]
    return write_table_xlsx(headers, rows, tmp_path / "county.xlsx").read_bytes()


def test_the_result_names_unknown_headers_and_values_as_written(tmp_path):
    content = _ledger(tmp_path, {"项目名称": "XX项目名", "存在问题": "备注 "},
                      {"建设状态": {"在建": "施工进行中", "竣工": "施工中"}, "是否入统": {"是": "有"},
                       "投资主体": {"民间投资": "民营资本"}})
    res = read_ledger(content, filename="county.xlsx")
    assert res.unknown_headers == ["XX项目名", "备注"]
    # 施工中 is a contract synonym (mapped, not unknown); 有 is no 是/否 the importer knows
    f = valid_frame(6)
    count = {c: f.get_column(c).to_list().count(v) for c, v in
             (("status", "在建"), ("investor_type", "民间投资"), ("in_statistics", True))}
    assert min(count.values()) > 0
    assert res.unknown_values == {"status": {"施工进行中": count["status"]},
                                  "investor_type": {"民营资本": count["investor_type"]},
                                  "in_statistics": {"有": count["in_statistics"]}}
    out = import_file(content, store=Store(tmp_path / "s"), filename="county.xlsx", dry_run=True)
    assert out.unknown_headers == res.unknown_headers and out.unknown_values == res.unknown_values
    clean = read_ledger(write_table_xlsx(*ledger_rows(valid_frame(3)), tmp_path / "ok.xlsx"))
    assert clean.unknown_headers == [] and clean.unknown_values == {}


def test_taught_values_are_no_longer_unknown(tmp_path):
    store = Store(tmp_path / "s")
    mappings.add_value(store, "建设状态", "施工进行中", "在建")
    content = _ledger(tmp_path, {}, {"建设状态": {"在建": "施工进行中"}})
    out = import_file(content, store=store, filename="county.xlsx", dry_run=True)
    assert out.ok, out.report()
    assert out.unknown_values == {}


@pytest.mark.parametrize("header, first", [("XX项目名", "项目名称"), ("建设状况", "建设状态"), ("总投资额(亿元)", "总投资(万元)"),
                                           ("是否入统计", "是否入统"), ("县区名称", "县区"), ("项目建设状态", "建设状态")])
def test_the_likeliest_column_comes_first(header, first):
    ranked = mappings.suggest_columns(header)
    assert ranked[0] == first
    assert sorted(ranked) == sorted(c.zh for c in ALL_COLUMNS)   # every column is offered, once (the text columns too)


@pytest.mark.parametrize("column, value, first", [("status", "施工进行中", "在建"), ("建设状态", "基本建成", "竣工"),
                                                  ("investor_type", "民营资本", "民间投资"), ("投资主体", "国有控股", "国有企业"),
                                                  ("level", "省重点项目", "省级"), ("in_statistics", "否（未入统）", "否")])
def test_the_likeliest_value_comes_first(column, value, first):
    ranked = mappings.suggest_values(column, value)
    assert ranked[0] == first
    assert sorted(ranked) == sorted(mappings.choices(column))


def test_listing_says_who_taught_each_mapping_and_when(tmp_path):
    store = Store(tmp_path / "s")
    mappings.add_column(store, "XX项目名", "项目名称", user="李分析")
    mappings.add_value(store, "建设状态", "施工进行中", "在建", user="王分析")
    rows = mappings.listing(store)
    assert [(r["kind"], r["column_zh"], r["source"], r["canonical"], r["user"]) for r in rows] == [
        ("列名", "项目名称", "XX项目名", "项目名称", "李分析"), ("取值", "建设状态", "施工进行中", "在建", "王分析")]
    assert all(r["time"] and "T" not in r["time"] for r in rows)
    mappings.remove(store, rows[0]["source"], user="李分析")      # what the listing gives removes it
    mappings.remove(store, rows[1]["source"], column=rows[1]["column"], user="李分析")
    assert mappings.listing(store) == []
