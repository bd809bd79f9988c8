"""The house's shape, read from the code's imports (docs/ARCHITECTURE.md): data/ ← metrics/ ← reports/ ← ui/ ← pages/
← app.py, no module importing another in a loop, metrics/ free of Word and Streamlit, no product module over 400
lines and no page over 120."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

ROOMS = ("data", "metrics", "reports", "ui", "pages", "app")  # each imports only from itself and those before it
MAX_LINES, MAX_PAGE_LINES = 400, 120


def _modules() -> dict[str, Path]:
    """Every product module by dotted name (the packages' __init__ under the package's name)."""
    out = {}
    for room in ROOMS:
        paths = [ROOT / "app.py"] if room == "app" else sorted((ROOT / room).rglob("*.py"))
        for path in paths:
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The product modules a file imports (anywhere in it): `from pkg import sub` names the submodule."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [s for s in subs if s in MODULES] or [node.module]
        found |= {n for n in names if n in MODULES}
    return found


GRAPH = {m: _imports(p) - {m} for m, p in MODULES.items()}


def _room(module: str) -> int:
    return ROOMS.index(module.split(".")[0])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_room_above_its_own(module):
    up = sorted(m for m in GRAPH[module] if _room(m) > _room(module))
    assert not up, f"{module} 引用了上层模块 {up}：依赖只能自左向右（{' ← '.join(ROOMS)}），见 docs/ARCHITECTURE.md"


def test_no_modules_import_each_other_in_a_loop():
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> None:
        if m in path:
            raise AssertionError(f"循环引用：{' → '.join(path[path.index(m):] + [m])}")
        if m in done:
            return
        for n in sorted(GRAPH[m]):
            visit(n, path + [m])
        done.add(m)

    for m in sorted(GRAPH):
        visit(m, [])


def test_metrics_is_pure_polars():
    heavy = ("docx", "docxtpl", "streamlit", "openpyxl", "xlsxwriter")
    for name, path in MODULES.items():
        if name.startswith("metrics"):
            roots = {a.name.split(".")[0] for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(n, ast.Import) for a in n.names}
            roots |= {n.module.split(".")[0] for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(n, ast.ImportFrom) and n.module}
            assert not roots & set(heavy), f"{name} 引用了 {sorted(roots & set(heavy))}：metrics/ 只做 Polars 计算"


def test_modules_stay_small():
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > (MAX_PAGE_LINES if m.startswith("pages.") else MAX_LINES)}
    assert not long, f"模块过长（页面不超过 {MAX_PAGE_LINES} 行，其余不超过 {MAX_LINES} 行）：{long}"
