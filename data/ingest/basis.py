"""What completion (data.ingest.complete) reads besides the file — a Basis: the year's register, each unit's published
months, the units the store knows — and the rows it works on; a project's name key and the code made for it."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import polars as pl

from data.ingest.cells import nfkc


class Basis:
    """What completion reads besides the file: the year's register (per unit), each unit's published months, the
    units the store knows. This one knows nothing (a ledger read on its own); data.register.StoreBasis reads a store."""

    def register(self, year: int) -> dict[str, pl.DataFrame]:
        """The year's register: each unit's part, with the columns its file had (project_id always)."""
        return {}

    def published(self, unit: str, month: str, *, inclusive: bool = False) -> tuple[str, pl.DataFrame] | None:
        """The unit's latest month before `month` (or up to it) with a published submission, and its rows then."""
        return None

    def known_units(self) -> dict[str, str]:
        """Every unit the store knows, with its kind ('county' or 'named')."""
        return {}

    def unit_of(self, project_id: str, month: str) -> str | None:
        """The unit that last published the project before `month` (a report without 县区 or unit names it by code)."""
        return None


EMPTY = Basis()


def name_key(name: str) -> str:
    """A project name folded for matching: NFKC, no blanks or punctuation, lower case."""
    return re.sub(r"[\s\W_]+", "", nfkc(name)).lower()


def made_code(county: str, name: str) -> str:
    """The stable code made for a project a ledger names but does not code: the same county and name give the
    same code in every month and on every machine."""
    return "X" + hashlib.sha1(f"{county}|{name_key(name)}".encode()).hexdigest()[:11].upper()


@dataclass
class Rows:
    """The report's parsed cells: per column its values and which rows the file itself gives (a column the file
    has gives every row, empty cells included; a derived value only the rows it could be read for)."""

    values: dict[str, list]
    given: dict[str, list[bool]]
    source_rows: list[int]
    has_id: bool = True                       # the file has a 项目编码 column
    amounts: dict[int, list] = field(default_factory=dict)  # month → that month's own amount (N月完成投资)
    prior: list | None = None                 # 至上年底累计完成投资, when the file has it
    present: set[str] = field(default_factory=set)  # the columns the file has (a file without rows has them too)

    @property
    def n(self) -> int:
        return len(self.source_rows)

    def has(self, name: str) -> bool:
        """Whether the file gives the column (for any row; or has it, when it has no rows)."""
        return name in self.present or any(self.given[name])
