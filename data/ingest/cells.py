"""Cell parsing: one raw ledger cell → a typed value; ValueError when it cannot be read."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal

# Decisions where DOMAIN.md is silent (kept beside the code they rule):
# - A 报送月份 cell holding a full date (2024-06-15) is read as its month (2024-06-01). A date column holding only
#   a month ('2024年3月') is that month's 1st.
# - A cell holding only '-', '—', '/' reads as empty (ledgers mark "nothing" that way); NaN in parquet too.
# - Excel serial dates are accepted only between 1950 and 2100; other numbers in date columns are type errors.
#   A workbook in Excel's 1904 date system counts its serials from 1904-01-01 (parsers(date1904=True)).
# - An Excel error value (#DIV/0!, #N/A, …) is never a valid cell of any column: a type error naming it.
# - Numbers: thousands separators must group by three ('1,23' is refused, not read as 123).
PLACEHOLDERS = {"-", "--", "—", "——", "/", "─"}
NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$")
TIME_PART = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + TIME_PART + "$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?" + TIME_PART + "$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
MONTH_RES = (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), re.compile(r"^(\d{4})(\d{2})$"))
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
SERIAL_MIN, SERIAL_MAX = 18264, 73415  # 1950..2100: serials outside are far more likely typos than dates
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "t"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "✘", "f"}


class ExcelError(str):
    """An Excel error value as the cell shows it ('#DIV/0!'): text to report, never a value to import."""


def blank(value: object) -> bool:
    """None or whitespace only."""
    return value is None or (isinstance(value, str) and not value.strip())


def nfkc(value: object) -> str:
    """The text NFKC-normalised (full-width digits and brackets to ASCII) and stripped."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _content(value: object) -> str:
    """The cell's text, NFKC-normalised; '' for a placeholder that means "nothing" ('-', '/')."""
    s = nfkc(value)
    return "" if s in PLACEHOLDERS else s


def _numeric(value: object) -> bool:
    """A number as Excel or parquet stores it; a bool (True/False in a number column) raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("bool")
    return isinstance(value, (int, float, Decimal))


def parse_number(value: object) -> float | None:
    """'1,234.5', '１２', ' 12 ', 12 → float; '' → None; anything else raises ValueError."""
    if value is None:
        return None
    if _numeric(value):
        x = float(value)
        if math.isinf(x):
            raise ValueError("inf")
        return None if math.isnan(x) else x
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise ValueError("date")
    s = _content(value)
    if not s:
        return None
    s = s.replace(" ", "")
    if not NUMBER_RE.match(s):
        raise ValueError(s)
    return float(s.replace(",", ""))


def _ymd(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)  # ValueError on 2024-02-30 etc.


def _serial(x: float, epoch: dt.date) -> dt.date:
    # The bounds are the 1900 system's serials of 1950-01-01 and 2100-12-31, whatever the workbook's epoch.
    if not SERIAL_MIN <= x + (epoch - EXCEL_EPOCH).days <= SERIAL_MAX:
        raise ValueError("serial")
    return epoch + dt.timedelta(days=int(x))


def parse_date(value: object, epoch: dt.date = EXCEL_EPOCH) -> dt.date | None:
    """Excel dates and serials (counted from `epoch`), '2024-03-15', '2024/3/15', '2024年3月15日', '20240315' → date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _numeric(value):
        x = float(value)
        if math.isnan(x):
            return None
        if x.is_integer() and 19000101 <= x <= 29991231:
            n = int(x)
            return _ymd(n // 10000, n // 100 % 100, n % 100)
        return _serial(x, epoch)
    s = _content(value)
    if not s:
        return None
    for rx in DATE_RES:
        m = rx.match(s)
        if m:
            return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = MONTH_RES[0].match(s)
    if m:  # a date column holding only year and month ('2024年3月'): the month's first day
        return _ymd(int(m.group(1)), int(m.group(2)), 1)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s):
        return _serial(float(s), epoch)
    raise ValueError(s)


def parse_month_value(value: object, epoch: dt.date = EXCEL_EPOCH) -> dt.date | None:
    """A 报送月份 cell: a date, '2024-06', '2024年6月', '202406' → the month's first day."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        x = float(value)
        if x.is_integer() and 190001 <= x <= 299912:
            n = int(x)
            return _ymd(n // 100, n % 100, 1)
    if isinstance(value, str):
        s = _content(value)
        if not s:
            return None
        for rx in MONTH_RES:
            m = rx.match(s)
            if m:
                return _ymd(int(m.group(1)), int(m.group(2)), 1)
        value = s
    d = parse_date(value, epoch)
    return None if d is None else d.replace(day=1)


def parse_bool(value: object) -> bool | None:
    """是/否, Y/N, yes/no, true/false, 1/0, √/× (any case) → bool; '' → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ValueError(str(value))
    s = nfkc(value).lower()
    if not s:
        return None
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ValueError(s)


def parse_text(value: object) -> str | None:
    """Strip whitespace; '' → None; numbers as typed (123.0 → '123')."""
    if value is None:
        return None
    if isinstance(value, ExcelError):
        raise ValueError(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip() or None


def parse_enum(value: object) -> str | None:
    """Strip and NFKC-normalise; membership is checked by validate()."""
    s = parse_text(value)
    return nfkc(s) or None if s else None


PARSERS = {"str": parse_text, "enum": parse_enum, "money": parse_number, "float": parse_number, "date": parse_date,
           "bool": parse_bool, "month": parse_month_value}
PARSERS_1904 = {**PARSERS, "date": lambda v: parse_date(v, EXCEL_EPOCH_1904),
                "month": lambda v: parse_month_value(v, EXCEL_EPOCH_1904)}


def parsers(date1904: bool = False) -> dict:
    """The parser of each column kind; serials counted in the workbook's date system."""
    return PARSERS_1904 if date1904 else PARSERS

HOW_TO_FIX = {
    "money": "应填数字（万元），如 1234.5，不要带单位或文字；没有请留空。",
    "float": "应填数字，如 12.5；没有请留空。",
    "date": "应填日期，如 2024-03-15，或把单元格设为日期格式；未办结、未开工请留空。",
    "bool": "应填“是”或“否”。",
    "month": "应填年月，如 2024-06 或 2024年6月。",
    "str": "应填文字。",
    "enum": "应填文字。",
}
