"""The small things every layer writes the same way: no value (—), an empty value (（空）), an audit log's time as
people read it, and the MIME types of the files handed out (tables, the 底稿, the bulletin)."""
from __future__ import annotations

DASH = "—"
EMPTY = "（空）"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def shown_time(stamp: object) -> str:
    """A stored time as people read it: '2025-06-14T09:30:00' → '2025-06-14 09:30:00' ('' for none)."""
    return str(stamp or "").replace("T", " ")
