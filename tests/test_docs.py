"""The README's generated tables match the registries (nothing goes undocumented)."""
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
