"""Read one monthly ledger (xlsx, CSV or parquet) into a canonical snapshot frame, and import it into the store.

The way a ledger travels, one module a step: source (bytes and limits) → readers (CSV, parquet; xlsx) → header and
headings → rows (classification, un-merging) → facts (title, unit line, group headings) → cells and values (parsing)
→ complete (from the register and last month) → build → importer (the store import).
"""
from data.ingest.build import Context, read_ledger
from data.ingest.cells import (PARSERS, parse_bool, parse_date, parse_enum, parse_month_value, parse_number,
                               parse_text)
from data.ingest.importer import finish, import_file, previous_rows
from data.ingest.result import Completion, ImportOutcome, ImportResult
from data.ingest.source import (DEFAULT_MAX_ROWS, DEFAULT_MAX_UPLOAD_MB, MAX_ROWS_VAR, MAX_UPLOAD_MB_VAR, max_rows,
                                max_upload_bytes)
from data.months import previous_month

__all__ = [
    "DEFAULT_MAX_ROWS", "DEFAULT_MAX_UPLOAD_MB", "MAX_ROWS_VAR", "MAX_UPLOAD_MB_VAR", "PARSERS", "Completion", "Context",
    "ImportOutcome", "ImportResult", "finish", "import_file", "max_rows", "max_upload_bytes", "parse_bool", "parse_date", "parse_enum",
    "parse_month_value", "parse_number", "parse_text", "previous_month", "previous_rows", "read_ledger",
]
