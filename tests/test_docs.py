"""The README: its generated tables match the registries (nothing goes undocumented), its two set-up commands and
what they install."""
import ast
import importlib.metadata
import re
from pathlib import Path

from metrics.docs import render_readme

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tables_are_current():
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "README 表格已过期：运行 python -m metrics.docs"


def test_readme_names_the_two_setup_commands_and_ci_uses_the_second():
    text = README.read_text(encoding="utf-8")
    assert "pip install -r requirements.txt && streamlit run app.py" in text
    assert "bash tests/run.sh" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash tests/run.sh" in ci


# ---- the set-up's requirements: the first command installs what the app runs on, nothing a test needs ------------
RUNTIME_CODE = ("app.py", "pages", "ui", "data", "metrics", "reports")  # the app and its command lines (data, metrics, reports)
DEV_CODE = ("tests", "bench")
TEST_ONLY = {"pytest", "hypothesis", "playwright", "oidc-provider-mock", "xlwt", "duckdb"}  # by hand, from grep


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(path: Path) -> tuple[set[str], list[str]]:
    """The package names a requirements file pins, and its `-r` includes."""
    names, includes = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            includes.append(line[2:].strip())
        elif line:
            names.add(_canon(re.split(r"[\[<>=!~ ;]", line, maxsplit=1)[0]))
    return names, includes


def _imported_distributions(parts: tuple[str, ...]) -> set[str]:
    """The installed distributions whose modules the Python files under `parts` import (standard library and our
    own packages have none)."""
    dists = importlib.metadata.packages_distributions()
    found = set()
    for part in parts:
        path = README.parent / part
        for file in ([path] if path.is_file() else path.rglob("*.py")):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    tops = [a.name.split(".")[0] for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                found |= {_canon(d) for top in tops for d in dists.get(top, ())}
    return found


def _with_dependencies(names: set[str]) -> set[str]:
    """The packages and everything they require, from the installed metadata."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [_canon(re.split(r"[\[<>=!~ ;(]", r, maxsplit=1)[0]) for r in reqs if "extra ==" not in r]
    return seen


def test_the_first_command_installs_no_test_or_benchmark_package():
    runtime, includes = _requirements(README.parent / "requirements.txt")
    assert not includes
    assert not runtime & TEST_ONLY, runtime & TEST_ONLY
    # and independently of the list above: no package that only tests/ and bench/ import
    only_dev = _imported_distributions(DEV_CODE) - _imported_distributions(RUNTIME_CODE)
    assert not runtime & only_dev, runtime & only_dev


def test_the_first_command_installs_everything_the_app_imports_and_dev_adds_the_rest():
    runtime, _ = _requirements(README.parent / "requirements.txt")
    missing = _imported_distributions(RUNTIME_CODE) - _with_dependencies(runtime)
    assert not missing, f"run-time code imports {missing}, which requirements.txt does not bring"
    dev, includes = _requirements(README.parent / "requirements-dev.txt")
    assert includes == ["requirements.txt"] and TEST_ONLY <= dev
    missing = _imported_distributions(DEV_CODE) - _with_dependencies(runtime | dev)
    assert not missing, f"tests or benchmarks import {missing}, which requirements-dev.txt does not bring"
    run_sh = (README.parent / "tests" / "run.sh").read_text(encoding="utf-8")
    assert "-r requirements-dev.txt" in run_sh and "-r requirements.txt" not in run_sh


def test_the_set_up_names_a_virtualenv_the_first_account_and_what_run_sh_installs():
    text = README.read_text(encoding="utf-8")
    setup = text[text.index("## Set-up"):text.index("## Pages")]
    assert "python -m venv .venv && . .venv/bin/activate" in setup
    assert "python -m data user add" in setup and "--role analyst" in setup
    assert "nginx" in setup and "requirements-dev.txt" in setup
