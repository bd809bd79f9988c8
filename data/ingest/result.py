"""What reading a ledger (ImportResult) and importing it into the store (ImportOutcome) return."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from data.problems import Problem, format_report


@dataclass(frozen=True)
class Completion:
    """Where one column's values came from when the file did not give them (DOMAIN.md Part 3 completion)."""

    column: str                 # canonical name
    zh: str
    register: int = 0           # rows taken from the year's register
    months: dict[str, int] = field(default_factory=dict)   # rows carried from each published month
    derived: dict[str, int] = field(default_factory=dict)  # rows worked out (各月相加, 按实际开工时间推定 …)
    none: int = 0               # rows nothing gave (未填报 for 本年资金到位, 是否入统, 开工累计)
    text: str = ""              # “取自2025年度名单（38项）”

    @property
    def line(self) -> str:
        return f"{self.zh}：{self.text}"


@dataclass
class ImportResult:
    """One ledger read: the canonical frame (only when error-free), problems, and where each row came from."""

    frame: pl.DataFrame | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)
    month: str | None = None
    sha256: str = ""
    filename: str | None = None
    header_row: int | None = None
    sheet: str | None = None
    kind: str | None = None
    made_codes: bool = False  # no 项目编码 column: codes were made from the project names (the importer matches them)
    sheet_choices: list[str] = field(default_factory=list)  # set when several sheets hold a ledger: ask which
    # What was not recognised, as written (the upload page offers to teach it; data/mappings.py remembers it):
    unknown_headers: list[str] = field(default_factory=list)  # source headers naming no column, in file order
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)  # column name → {value: rows}
    completions: list[Completion] = field(default_factory=list)  # where absent columns' values came from
    unit: str | None = None  # the reporting unit the file names or was given (None: grouped by 县区)

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self, limit: int = 50) -> str:
        """The Chinese problem report."""
        return format_report(self.errors, self.warnings, limit, [c.line for c in self.completions])


@dataclass
class ImportOutcome:
    """What an import did: ok, month, rows, problems and the store's audit record (None when nothing was written)."""

    ok: bool
    month: str | None
    rows: int
    errors: list[Problem]
    warnings: list[Problem]
    record: dict | None = None
    result: ImportResult | None = None

    @property
    def sheet_choices(self) -> list[str]:
        """The sheets to choose from when the workbook has several ledgers and none was named."""
        return list(self.result.sheet_choices) if self.result is not None else []

    @property
    def unknown_headers(self) -> list[str]:
        """The file's headers that name no column (ignored, or the required column that is missing)."""
        return list(self.result.unknown_headers) if self.result is not None else []

    @property
    def unknown_values(self) -> dict[str, dict[str, int]]:
        """Per enumerated or 是/否 column (name), the values it does not know and how many rows hold each."""
        return dict(self.result.unknown_values) if self.result is not None else {}

    @property
    def completions(self) -> list[Completion]:
        """Where the values of the columns the file did not have came from."""
        return list(self.result.completions) if self.result is not None else []

    def report(self, limit: int = 50) -> str:
        """The Chinese problem report."""
        return format_report(self.errors, self.warnings, limit, [c.line for c in self.completions])
