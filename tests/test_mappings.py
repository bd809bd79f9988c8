"""Ledgers as counties write them: value synonyms, taught headers and values, no project codes, several files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data import mappings
from data.ingest import import_file, read_ledger
from data.store import Store, StoreError
from metrics.dataset import Dataset
from metrics.engine import as_record, indicators_at
from tests.factories import ledger_rows, tree_bytes, valid_frame, write_table_xlsx, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
DEMO = Store(ROOT / "data" / "demo")

# DOMAIN.md Part 2 "Value synonyms", written out here as the contract writes it (not read from the schema).
CONTRACT = {
    "建设状态": {"施工中": "在建", "在建中": "在建", "正在建设": "在建", "已竣工": "竣工", "完工": "竣工", "建成": "竣工",
             "已投产": "投产", "建成投产": "投产", "投产运营": "投产", "停建": "停工", "暂停施工": "停工",
             "尚未开工": "未开工", "未开工建设": "未开工"},
    "建设性质": {"新建": "新开工", "续建项目": "续建", "前期项目": "前期", "预备": "前期", "储备项目": "储备"},
    "投资主体": {"政府": "政府投资", "财政投资": "政府投资", "国企": "国有企业", "国有": "国有企业", "国有投资": "国有企业",
             "民营": "民间投资", "民营企业": "民间投资", "民间": "民间投资", "私营": "民间投资", "外资": "外商投资",
             "外商": "外商投资"},
    "项目级别": {"省重点": "省级", "省级重点": "省级", "市重点": "市级", "市级重点": "市级", "县重点": "县级",
             "县级重点": "县级", "区级": "县级"},
    "项目类别": {"产业项目": "产业", "基础设施项目": "基础设施", "民生": "社会民生", "社会事业": "社会民生",
             "生态": "生态环保", "环保": "生态环保"},
    "产业类型": {"新兴": "新兴产业", "传统": "传统产业"},
}
TICKS = {"√": "是", "✓": "是", "✔": "是", "×": "否", "✗": "否", "✘": "否"}
BOOL_HEADERS = ("是否招商引资签约项目", "是否入统")


def _cli(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KPM_STORE"}
    p = subprocess.run([sys.executable, "-m", "data", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def _rewrite(frame: pl.DataFrame, path: Path, column: str, mapping: dict, drop: str | None = None) -> Path:
    """The frame as a county-style xlsx, with `column`'s canonical values written the county's way."""
    headers, rows = ledger_rows(frame)
    j = headers.index(column)
    for r in rows:
        r[j] = mapping.get(r[j], r[j])
    if drop:
        k = headers.index(drop)
        headers = headers[:k] + headers[k + 1:]
        rows = [r[:k] + r[k + 1:] for r in rows]
    return write_table_xlsx(headers, rows, path)


# ---- synonyms ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("column", list(CONTRACT))
def test_every_contract_synonym_is_stored_as_its_canonical_value(tmp_path, column):
    base = valid_frame(1)
    headers, rows = ledger_rows(base)
    j = headers.index(column)
    for written, canon in CONTRACT[column].items():
        row = list(rows[0])
        row[j] = written
        if column == "项目类别":  # 产业类型 must be empty unless 产业, set when 产业
            row[headers.index("产业类型")] = "新兴产业" if canon == "产业" else None
            row[headers.index("产业链")] = None
        if column == "产业类型":
            row[headers.index("项目类别")] = "产业"
        if column == "建设性质" and canon in ("前期", "储备"):
            row[headers.index("年度计划投资(万元)")] = 0
        if column == "建设状态" and canon == "未开工":
            row[headers.index("实际开工时间")] = None
        res = read_ledger(write_table_xlsx(headers, [row], tmp_path / f"{written}.xlsx"))
        assert res.ok, (written, res.report())
        got = res.frame.row(0, named=True)
        name = {"建设状态": "status", "建设性质": "build_type", "投资主体": "investor_type", "项目级别": "level",
                "项目类别": "category", "产业类型": "industry_class"}[column]
        assert got[name] == canon, written
        assert [w.message for w in res.warnings if w.rule == "取值对应"] == [f"{column}：{written} → {canon}（1 行）"]


def test_a_county_ledger_in_its_own_words_equals_its_canonical_twin(tmp_path):
    june = DEMO.read("2025-06").filter(pl.col("county") == "石门县")
    status = {"在建": "施工中", "竣工": "已竣工", "投产": "建成投产", "停工": "停建"}
    investor = {"民间投资": "民营", "国有企业": "国企", "政府投资": "政府"}
    headers, rows = ledger_rows(june)
    cols = {h: i for i, h in enumerate(headers)}
    counts: dict[str, int] = {}
    for r in rows:
        for h, m in (("建设状态", status), ("投资主体", investor)):
            if r[cols[h]] in m:
                key = f"{h}：{m[r[cols[h]]]} → {r[cols[h]]}"
                counts[key] = counts.get(key, 0) + 1
                r[cols[h]] = m[r[cols[h]]]
        for h in BOOL_HEADERS:
            key = f"{h}：{'√' if r[cols[h]] == '是' else '×'} → {r[cols[h]]}"
            counts[key] = counts.get(key, 0) + 1
            r[cols[h]] = "√" if r[cols[h]] == "是" else "×"
    own = Store(tmp_path / "own")
    out = import_file(write_table_xlsx(headers, rows, tmp_path / "own.xlsx"), store=own)
    assert out.ok, out.report()
    got = {w.message.rsplit("（", 1)[0]: int(w.message.rsplit("（", 1)[1].split(" ")[0])
           for w in out.warnings if w.rule == "取值对应"}
    assert got == counts and len(got) >= 8
    twin = Store(tmp_path / "twin")
    assert import_file(write_xlsx(june, tmp_path / "twin.xlsx"), store=twin).ok
    assert_frame_equal(own.read("2025-06"), twin.read("2025-06"))
    a = as_record(indicators_at(Dataset.from_store(own), "2025-06"))
    b = as_record(indicators_at(Dataset.from_store(twin), "2025-06"))
    assert a.keys() == b.keys()
    for k in a:  # the twin's cells are written as text by the test writer: equal to the last bits of a float
        assert (a[k] is None and b[k] is None) or a[k] == pytest.approx(b[k], rel=1e-12), k


def test_ticks_and_crosses_are_yes_and_no(tmp_path):
    frame = valid_frame(6)
    headers, rows = ledger_rows(frame)
    j = headers.index("是否入统")
    marks = iter(TICKS)
    for r in rows:
        r[j] = next(marks)
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "t.xlsx"))
    assert res.ok, res.report()
    assert res.frame["in_statistics"].to_list() == [True, True, True, False, False, False]


# ---- taught headers and values -------------------------------------------------------------------------------------
def test_a_taught_header_and_value_let_a_refused_ledger_import(tmp_path):
    # 本年累计完成投资 is the one progress value a report must carry (DOMAIN.md Part 3): written 今年完成额, unknown.
    frame = valid_frame(6)
    headers, rows = ledger_rows(frame)
    headers[headers.index("本年累计完成投资(万元)")] = "今年完成额"
    j = headers.index("建设状态")
    for r in rows:
        r[j] = "基本建成" if r[j] == "竣工" else r[j]
    path = write_table_xlsx(headers, rows, tmp_path / "county.xlsx")
    store = Store(tmp_path / "s")
    first = import_file(path, store=store)
    assert not first.ok
    missing = next(p for p in first.errors if p.rule == "缺少必填列")
    assert missing.column == "本年累计完成投资(万元)"
    assert "未识别的表头：今年完成额" in missing.message
    assert "python -m data mapping add --column 今年完成额 本年累计完成投资(万元)" in missing.message
    # taught without the unit the Chinese header carries: 本年累计完成投资 = 本年累计完成投资(万元)
    assert _cli("mapping", "add", "--column", "今年完成额", "本年累计完成投资", "--store", store.root).returncode == 0
    second = import_file(path, store=store)
    assert not second.ok
    bad = [p for p in second.errors if p.column == "建设状态"]
    assert [(p.rule, p.value) for p in bad] == [("取值不在范围", "基本建成")], second.report()
    p = _cli("mapping", "add", "--value", "建设状态", "基本建成", "竣工", "--store", store.root)
    assert p.returncode == 0 and "已记住" in p.stdout
    third = import_file(path, store=store)
    assert third.ok, third.report()
    assert_frame_equal(store.read("2024-06"), frame)
    assert "建设状态：基本建成 → 竣工（1 行）" in [w.message for w in third.warnings]
    listed = _cli("mapping", "list", "--store", store.root).stdout.splitlines()
    assert listed == ["列名  本年累计完成投资(万元) “今年完成额” → “本年累计完成投资(万元)”",
                      "取值  建设状态         “基本建成” → “竣工”"]
    actions = [(r["action"], r.get("kind")) for r in store.audit()]
    assert actions == [("mapping-add", "column"), ("mapping-add", "value"), ("import", None)]
    assert _cli("mapping", "remove", "--value", "建设状态", "基本建成", "--store", store.root).returncode == 0
    assert mappings.load(store).values == {}


def test_teaching_is_checked(tmp_path):
    store = Store(tmp_path / "s")
    with pytest.raises(StoreError, match="不是“建设状态”的取值：可选 未开工、在建、停工、竣工、投产"):
        mappings.add_value(store, "建设状态", "基本建成", "完成")
    with pytest.raises(StoreError, match="“工期”不是标准列名"):
        mappings.add_column(store, "施工状况", "工期")
    with pytest.raises(StoreError, match="已是标准表头“总投资\\(万元\\)”的写法"):
        mappings.add_column(store, "总投资", "建设状态")
    with pytest.raises(StoreError, match="没有记住的表头“施工状况”"):
        mappings.remove(store, "施工状况")
    assert not (store.root / "mappings.json").exists()


# ---- no project codes ----------------------------------------------------------------------------------------------
def test_a_ledger_without_codes_is_matched_by_name_to_last_month(tmp_path):
    may = DEMO.read("2025-05").filter(pl.col("county") == "石门县")
    june = DEMO.read("2025-06").filter(pl.col("county") == "石门县")
    store = Store(tmp_path / "s")
    assert import_file(write_xlsx(may, tmp_path / "may.xlsx"), store=store).ok
    renamed = june.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("全新的储能电站项目"))
                                .otherwise(pl.col("project_name")).alias("project_name"))
    path = _rewrite(renamed.with_columns(pl.col("project_name").str.replace_all("项目", " 项 目 ")), tmp_path / "j.xlsx",
                    "项目名称", {}, drop="项目编码")
    out = import_file(path, store=store)
    assert out.ok, out.report()
    got = store.read("2025-06")
    old = set(may["project_id"])
    kept = [pid for pid in june["project_id"].to_list()[1:] if pid in old]
    assert got["project_id"].to_list()[1:] == [p if p in old else got["project_id"][i + 1]
                                               for i, p in enumerate(june["project_id"].to_list()[1:])]
    assert len(kept) == june.height - 1 - sum(p not in old for p in june["project_id"].to_list()[1:])
    new_code = got["project_id"][0]
    assert new_code.startswith("X") and len(new_code) == 12 and new_code not in old
    note = next(w.message for w in out.warnings if w.rule == "按名称对应编码")
    assert "石门县 2025-05" in note and "第 4 行“全新的储能电站 项 目”" in note
    assert "24 位项目代码" in note


def test_codes_made_for_new_names_are_stable(tmp_path):
    frame = valid_frame(3)
    path = _rewrite(frame, tmp_path / "n.xlsx", "项目名称", {}, drop="项目编码")
    a = read_ledger(path).frame["project_id"].to_list()
    b = read_ledger(path).frame["project_id"].to_list()
    assert a == b and len(set(a)) == 3
    assert a == ["X" + __import__("hashlib").sha1(f"{c}|{n}".encode()).hexdigest()[:11].upper()
                 for c, n in zip(frame["county"], frame["project_name"])]


def test_two_rows_with_one_name_are_an_error_naming_both(tmp_path):
    frame = valid_frame(4).with_columns(pl.lit("甲县").alias("county"), pl.lit("同名项目").alias("project_name"))
    res = read_ledger(_rewrite(frame.head(2), tmp_path / "d.xlsx", "项目名称", {}, drop="项目编码"))
    assert not res.ok
    dup = [p for p in res.errors if p.rule == "项目名称重复"]
    assert [(p.row, p.value) for p in dup] == [(5, "同名项目")]
    assert "第 4 行和第 5 行的项目名称相同（“同名项目”）" in dup[0].message


# ---- several files at once -----------------------------------------------------------------------------------------
def test_several_files_in_one_command_each_land_or_fail_on_their_own(tmp_path):
    frame = valid_frame(6)
    a = write_xlsx(frame.filter(pl.col("county") == "甲县"), tmp_path / "a.xlsx")
    bad = frame.filter(pl.col("county") == "乙县").with_columns(pl.lit(-1.0).alias("total_investment"))
    b = write_xlsx(bad, tmp_path / "b.xlsx")
    c = write_xlsx(frame.filter(pl.col("county") == "丙区"), tmp_path / "c.xlsx")
    store = Store(tmp_path / "s")
    p = _cli("import", a, b, c, "--store", store.root)
    assert p.returncode == 1
    assert f"【1/3】{a}" in p.stdout and f"【2/3】{b}" in p.stdout and f"【3/3】{c}" in p.stdout
    assert p.stdout.count("导入成功：报送月份 2024-06") == 2 and p.stdout.count("导入被拒绝") == 1
    assert p.stdout.rstrip().endswith(f"共 3 个文件：导入成功 2 个，未通过 1 个：{b}")
    assert sorted(store.read("2024-06")["county"].unique()) == ["丙区", "甲县"]
    before = tree_bytes(store.root)
    p = _cli("validate", a, c, "--store", store.root)
    assert p.returncode == 0 and tree_bytes(store.root) == before
