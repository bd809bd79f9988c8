"""The `python -m data` command line: exit codes and Chinese output, run as the analyst runs it."""
from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import polars as pl
import pytest

from data.store import Store
from tests.factories import (
    ledger_rows, tree_bytes, valid_frame, write_csv, write_table_csv, write_table_xlsx, write_xlsx,
)
from tests.helpers import DEMO_LEDGER as SAMPLE, run_module


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_module("data", *args, env=env)


def test_import_list_and_replace(tmp_path):
    store = tmp_path / "store"
    p = run("import", SAMPLE, "--store", store)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines() == ["导入成功：报送月份 2024-06，项目 89 个，警告 0 条。"]

    p = run("import", SAMPLE, "--store", store)
    assert p.returncode == 1 and "库中 2024-06 中石门县已有数据，未覆盖" in p.stdout and "--replace" in p.stdout
    assert p.stdout.startswith("检查结果：错误 1 条，警告 0 条。") and "库中数据未改变" in p.stdout

    p = run("import", SAMPLE, "--store", store, "--replace")
    assert p.returncode == 0 and p.stdout.startswith("导入成功：报送月份 2024-06，项目 89 个，警告 1 条。")
    assert "将被替换" in p.stdout

    p = run("list", "--store", store)
    lines = p.stdout.splitlines()
    assert p.returncode == 0 and lines[0].endswith("（共 1 个月）") and len(lines) == 3
    assert lines[2].split()[:2] == ["2024-06", "89"] and lines[2].endswith(SAMPLE.name)


def test_validate_writes_nothing(tmp_path):
    store = tmp_path / "store"
    p = run("validate", SAMPLE, "--store", store)
    assert p.returncode == 0 and p.stdout.splitlines() == ["检查通过：报送月份 2024-06，项目 89 个，警告 0 条。"]
    assert not store.exists()


def test_validate_and_import_report_problems(tmp_path):
    headers, rows = ledger_rows(valid_frame(5), style="cells")
    rows[1][headers.index("建设状态")] = "已批复"
    rows[3][headers.index("总投资(万元)")] = "五亿左右"
    bad = write_table_xlsx(headers, rows, tmp_path / "bad.xlsx")
    store = tmp_path / "store"
    assert run("import", write_xlsx(valid_frame(2, "2024-05"), tmp_path / "may.xlsx"), "--store", store).returncode == 0
    before = tree_bytes(store)
    for cmd in ("validate", "import"):
        p = run(cmd, bad, "--store", store)
        assert p.returncode == 1
        assert "取值不在范围" in p.stdout and "第 5 行" in p.stdout and "「建设状态」" in p.stdout and "已批复" in p.stdout
        assert "类型错误" in p.stdout and "第 7 行" in p.stdout and "五亿左右" in p.stdout
    assert "库中数据未改变" in p.stdout
    assert tree_bytes(store) == before


def test_validate_warns_against_stored_previous_month(tmp_path):
    store = tmp_path / "store"
    assert run("import", write_xlsx(valid_frame(4, "2024-05"), tmp_path / "may.xlsx"), "--store", store).returncode == 0
    p = run("validate", write_xlsx(valid_frame(3, "2024-06"), tmp_path / "june.xlsx"), "--store", store)
    assert p.returncode == 0 and p.stdout.startswith("检查通过：报送月份 2024-06，项目 3 个，警告 1 条。")
    assert "■ 上月项目本月缺失（1 条）" in p.stdout and "值“P0003”" in p.stdout


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("setup,needle", [
    (lambda d: d / "nope.xlsx", "找不到文件"),
    (lambda d: _write(d / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), "另存为"),
    (lambda d: d, "文件夹"),
])
def test_unreadable_files(tmp_path, setup, needle):
    p = run("import", setup(tmp_path), "--store", tmp_path / "store")
    assert p.returncode == 1 and needle in p.stdout


def test_month_option(tmp_path):
    f = valid_frame(3)
    headers, rows = ledger_rows(f)
    j = headers.index("报送月份")
    path = tmp_path / "no_month.csv"
    write_table_csv(headers[:j] + headers[j + 1:], [r[:j] + r[j + 1:] for r in rows], path, encoding="gb18030")
    store = tmp_path / "store"
    p = run("import", path, "--store", store)
    assert p.returncode == 1 and "--month" in p.stdout
    p = run("import", path, "--store", store, "--month", "2024-06")
    assert p.returncode == 0 and p.stdout.splitlines() == ["导入成功：报送月份 2024-06，项目 3 个，警告 0 条。"]
    assert Store(store).read("2024-06").height == 3


def test_month_conflict_and_two_months(tmp_path):
    p = run("validate", write_csv(valid_frame(3), tmp_path / "a.csv"), "--month", "2024-07")
    assert p.returncode == 1 and "月份冲突" in p.stdout
    two = pl.concat([valid_frame(2, "2024-05"), valid_frame(2, "2024-06").with_columns(
        project_id=pl.col("project_id") + "x")])
    p = run("validate", write_csv(two, tmp_path / "two.csv"))
    assert p.returncode == 1 and "多个报送月份" in p.stdout and "2024-05" in p.stdout and "2024-06" in p.stdout


def test_sheet_option(tmp_path):
    path = write_xlsx(valid_frame(2), tmp_path / "a.xlsx", sheet="六月")
    assert run("validate", path, "--sheet", "六月").returncode == 0
    p = run("validate", path, "--sheet", "七月")
    assert p.returncode == 1 and "六月" in p.stdout and "--sheet" in p.stdout


def test_store_from_environment(tmp_path):
    store = tmp_path / "env_store"
    assert run("import", SAMPLE, env={"KPM_STORE": str(store)}).returncode == 0
    assert Store(store).months() == ["2024-06"]
    p = run("list", env={"KPM_STORE": str(store)})
    assert p.returncode == 0 and p.stdout.splitlines()[0] == f"数据库：{store}（共 1 个月）"
    assert p.stdout.splitlines()[2].split()[:2] == ["2024-06", "89"]


def test_list_empty_and_usage_errors(tmp_path):
    p = run("list", "--store", tmp_path / "empty")
    assert p.returncode == 0 and "还没有数据" in p.stdout
    p = run()
    assert p.returncode == 2 and "参数错误" in p.stderr
    p = run("import")
    assert p.returncode == 2 and "缺少参数" in p.stderr
    p = run("-h")
    assert p.returncode == 0 and "导入" in p.stdout


def test_demo_command_calls_generator(tmp_path, monkeypatch, capsys):
    import data.__main__ as cli

    calls = []

    def generate(out_dir=None):
        calls.append(out_dir)
        return [Path(out_dir) / "2024-06.parquet"]

    monkeypatch.setitem(sys.modules, "data.demo", types.SimpleNamespace(generate=generate))
    assert cli.main(["demo", "--out", str(tmp_path)]) == 0
    assert calls == [tmp_path] and "2024-06.parquet" in capsys.readouterr().out
