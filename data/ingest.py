"""Read one monthly ledger (xlsx, CSV or parquet) into a canonical snapshot frame, and import it into the store."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import math
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from data.schema import COLUMN_BY_NAME, COLUMNS, SCHEMA, UNIT_FACTORS, ZH, match_header, normalize_header, split_unit
from data.submissions import unit_column
from data.store import Store, StoreError, month_key, safe_source_name
from data.validate import Problem, compare_with_previous, format_report, show_value, validate

# Decisions where DOMAIN.md is silent (kept here so the code and the rule travel together):
# - A 报送月份 cell holding a full date (2024-06-15) is read as its month (2024-06-01); an empty 报送月份 column
#   counts as absent, so --month fills it. A date column holding only a month ('2024年3月') is that month's 1st.
# - A cell holding only '-', '—', '/' reads as empty (ledgers mark "nothing" that way); NaN in parquet too.
# - Excel serial dates are accepted only between 1950 and 2100; other numbers in date columns are type errors.
# - Numbers: thousands separators must group by three ('1,23' is refused, not read as 123).
# - Rows skipped without a word: empty rows (a pre-printed 序号 alone counts as empty), 合计/小计/总计/累计 rows
#   without a project code, repeated header rows, the 栏次 row (甲 乙 1 2 3 …) right under the header.
#   Notes under the table ('注：', '填表人') are skipped with a warning.
# - Group heading rows ('一、产业类项目（12个）', '（二）基础设施', 序号 '一' beside a name), with no project code
#   and no 县区/类别/级别/性质/状态/主体, are skipped with a warning (their subtotals are not projects).
# - A data cell merged down over several projects (县区, 产业链, 项目类别, … written once for a block) counts for
#   every row it covers, as it reads on screen. Codes, names and numbers cannot be shared by projects: a merged
#   项目编码/项目名称 or number cell refuses the file, naming the rows, rather than guessing a split.
ACCEPTED = "只支持 Excel 工作簿（.xlsx）、CSV 文本（.csv，UTF-8 或 GBK/GB18030 编码）和 Parquet（.parquet）文件"
SCAN_ROWS = 30  # the header is looked for in the first rows only; titles and unit rows sit above it
MIN_HEADER_MATCHES = 3
SUMMARY_WORDS = ("合计", "小计", "总计", "累计")
# Group headings inside the table: '一、…', '一' alone (序号 column), '（二）…', '1、…', '第三类…'.
SECTION_RE = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*(?:[、.]|$)|\(\s*[一二三四五六七八九十百\d]+\s*\)"
                        r"|\d+\s*、|第[一二三四五六七八九十百\d]+(?:类|部分|批|项|片区))")
# A group heading row leaves these blank; a project row has them (it is a project missing its code, then).
SECTION_BLANK = ("county", "category", "level", "build_type", "status", "investor_type")
# Merged-down data cells shared by the rows they cover (attributes); the rest must be one per project.
MERGE_FILL_KINDS = {"str", "enum", "bool", "date", "month"}
MERGE_REFUSED = {"project_id", "project_name"}
SEQ_HEADERS = {"序号", "序", "no", "no.", "编号序号"}
# Lines an analyst adds under the table (notes, signatures): skipped with a warning rather than failing every rule.
FOOTNOTE_RE = re.compile(r"^(注|备注|说明|填表人|填报人|审核人|制表人|负责人|联系人|联系电话|单位负责人)")
# A cell holding only a dash or slash means "nothing" in Chinese ledgers; it is read as empty, not as text.
PLACEHOLDERS = {"-", "--", "—", "——", "/", "─"}
UNIT_ROW_RE = re.compile(r"单位\s*:\s*(万元|亿元|元)")
GROUP_UNIT_RE = re.compile(r"\((万元|亿元|元)\)")
NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$")
TIME_PART = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + TIME_PART + "$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?" + TIME_PART + "$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
MONTH_RES = (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), re.compile(r"^(\d{4})(\d{2})$"))
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials outside 1950..2100 are far more likely typos than real dates, so they are refused.
SERIAL_MIN, SERIAL_MAX = 18264, 73415
# Limits against hostile or broken files, all checked before a parser touches the content.
MAX_UPLOAD_MB_VAR = "KPM_MAX_UPLOAD_MB"   # the file size cap (also Streamlit's server.maxUploadSize)
DEFAULT_MAX_UPLOAD_MB = 50
MAX_ROWS_VAR = "KPM_MAX_ROWS"
DEFAULT_MAX_ROWS = 200_000                # data rows; a county ledger has a few thousand at most
MAX_UNZIPPED_BYTES = 200 * 2**20          # xlsx: sum of the uncompressed sizes in the zip central directory
MAX_ZIP_RATIO = 100                       # xlsx: uncompressed ÷ compressed for any member larger than 1 MiB
MAX_ZIP_MEMBERS = 5_000
MAX_CELLS = 10_000_000                    # xlsx: cells in the chosen sheet (openpyxl keeps each one in memory)
MAX_COLUMNS = 1_000
MAX_FORMULA_LINES = 20                    # formula cells named one by one in the report; the rest are counted
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "t"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "✘", "f"}


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

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self, limit: int = 50) -> str:
        """The Chinese problem report."""
        return format_report(self.errors, self.warnings, limit)


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

    def report(self, limit: int = 50) -> str:
        """The Chinese problem report."""
        return format_report(self.errors, self.warnings, limit)


class _Refused(Exception):
    """A fatal problem with the file as a whole (type, encoding, sheet, header)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class _Table:
    """Source-neutral view of a ledger: final header per column, unit factors from groups, raw data rows."""

    headers: list[object]
    group_factor: list[float | None]
    rows: list[tuple[int, list]]
    header_row: int | None
    labels: list[str]
    warnings: list[Problem] = field(default_factory=list)
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (first row, last row, column) of merged cells


# ---- cell parsing ----------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)
def _match(text: str) -> tuple[str | None, float]:
    return match_header(text)


def _name(value: object) -> str | None:
    return _match(value)[0] if isinstance(value, str) and value.strip() else None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_number(value: object) -> float | None:
    """'1,234.5', '１２', ' 12 ', 12 → float; '' → None; anything else raises ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, (int, float, Decimal)):
        x = float(value)
        if math.isnan(x):
            return None
        if math.isinf(x):
            raise ValueError("inf")
        return x
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise ValueError("date")
    s = _nfkc(value)
    if not s or s in PLACEHOLDERS:
        return None
    s = s.replace(" ", "")
    if not NUMBER_RE.match(s):
        raise ValueError(s)
    return float(s.replace(",", ""))


def _ymd(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)  # ValueError on 2024-02-30 etc.


def _serial(x: float) -> dt.date:
    if not SERIAL_MIN <= x <= SERIAL_MAX:
        raise ValueError("serial")
    return EXCEL_EPOCH + dt.timedelta(days=int(x))


def parse_date(value: object) -> dt.date | None:
    """Excel dates and serials, '2024-03-15', '2024/3/15', '2024.3.15', '2024年3月15日', '20240315' → date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, (int, float, Decimal)):
        x = float(value)
        if math.isnan(x):
            return None
        if x.is_integer() and 19000101 <= x <= 29991231:
            n = int(x)
            return _ymd(n // 10000, n // 100 % 100, n % 100)
        return _serial(x)
    s = _nfkc(value)
    if not s or s in PLACEHOLDERS:
        return None
    for rx in DATE_RES:
        m = rx.match(s)
        if m:
            return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = MONTH_RES[0].match(s)
    if m:  # a date column holding only year and month ('2024年3月'): the month's first day
        return _ymd(int(m.group(1)), int(m.group(2)), 1)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s):
        return _serial(float(s))
    raise ValueError(s)


def parse_month_value(value: object) -> dt.date | None:
    """A 报送月份 cell: a date, '2024-06', '2024年6月', '202406' → the month's first day."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        x = float(value)
        if x.is_integer() and 190001 <= x <= 299912:
            n = int(x)
            return _ymd(n // 100, n % 100, 1)
    if isinstance(value, str):
        s = _nfkc(value)
        if not s or s in PLACEHOLDERS:
            return None
        for rx in MONTH_RES:
            m = rx.match(s)
            if m:
                return _ymd(int(m.group(1)), int(m.group(2)), 1)
        value = s
    d = parse_date(value)
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
    s = _nfkc(value).lower()
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
    return unicodedata.normalize("NFKC", s).strip() or None if s else None


PARSERS = {"str": parse_text, "enum": parse_enum, "money": parse_number, "float": parse_number, "date": parse_date,
           "bool": parse_bool, "month": parse_month_value}

HOW_TO_FIX = {
    "money": "应填数字（万元），如 1234.5，不要带单位或文字；没有请留空。",
    "float": "应填数字，如 12.5；没有请留空。",
    "date": "应填日期，如 2024-03-15，或把单元格设为日期格式；未办结、未开工请留空。",
    "bool": "应填“是”或“否”。",
    "month": "应填年月，如 2024-06 或 2024年6月。",
    "str": "应填文字。",
    "enum": "应填文字。",
}


# ---- limits ------------------------------------------------------------------------------------------------------
def _env_number(var: str, default: float) -> float:
    try:
        value = float(os.environ.get(var, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def max_upload_bytes() -> int:
    """The size cap in bytes: $KPM_MAX_UPLOAD_MB megabytes (default 50)."""
    return int(_env_number(MAX_UPLOAD_MB_VAR, DEFAULT_MAX_UPLOAD_MB) * 2**20)


def max_rows() -> int:
    """The data-row cap: $KPM_MAX_ROWS (default 200,000)."""
    return int(_env_number(MAX_ROWS_VAR, DEFAULT_MAX_ROWS))


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def _too_big(size: int) -> _Refused:
    cap = max_upload_bytes()
    return _Refused(Problem("文件过大", value=_mb(size), message=(
        f"文件大小 {_mb(size)}，超过上限 {_mb(cap)}：台账不应这么大，请检查是否导出了多余的工作表、图片或空白行；"
        f"确需导入请联系管理员调整上限（环境变量 {MAX_UPLOAD_MB_VAR}）。")))


def _too_many_rows(n: int, what: str) -> _Refused:
    return _Refused(Problem("行数过多", value=f"{n:,}", message=(
        f"{what}有 {n:,} 行，超过上限 {max_rows():,} 行：请确认没有误选整列格式或导出多余内容；"
        f"确需导入请联系管理员调整上限（环境变量 {MAX_ROWS_VAR}）。")))


def _check_zip(data: bytes) -> zipfile.ZipFile:
    """Refuse zip bombs from the central directory before any member is decompressed. Python's zipfile never
    inflates a member past the size the directory declares (and checks its CRC), so the declared sizes bind."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise _unreadable(e) from None
    total = sum(i.file_size for i in infos)
    bomb = len(infos) > MAX_ZIP_MEMBERS or total > MAX_UNZIPPED_BYTES or any(
        i.file_size > 2**20 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1) for i in infos)
    if bomb:
        raise _Refused(Problem("文件解压后过大", value=_mb(total), message=(
            f"这个 Excel 文件解压后有 {_mb(total)}（{len(infos)} 个部件），超过安全上限 {_mb(MAX_UNZIPPED_BYTES)} "
            f"或压缩比上限 {MAX_ZIP_RATIO} 倍，疑似“压缩炸弹”或含大量空白格式，未读取：请另存为只含台账的新工作簿后再导入。")))
    return zf


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_MERGE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Za-z$]+\$?\d+(?::[A-Za-z$]+\$?\d+)?)\"")


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int, list[str]]:
    """(rows, cells, formulas) counted from the sheet's XML as a stream — the sheet's own <dimension> may lie — and
    its merged ranges ('A1:AG1', …), which openpyxl's read-only mode does not expose."""
    rows = cells = formulas = 0
    refs: list[str] = []
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            buf = tail + chunk
            if not chunk:
                cut = len(buf)
            else:
                cut = buf.rfind(b"<")
                cut = len(buf) if cut < 0 else cut
            head, tail = buf[:cut], buf[cut:]
            rows += len(_ROW_TAG.findall(head))
            cells += len(_CELL_TAG.findall(head))
            formulas += len(_FORMULA_TAG.findall(head))
            refs += [m.decode("ascii") for m in _MERGE_REF.findall(head)]
            if not chunk:
                return rows, cells, formulas, refs
            if len(tail) > 4096:  # a '<' that never closes: not XML we could use, stop carrying it
                tail = b""


# ---- file type and source readers ------------------------------------------------------------------------------
def _sniff(data: bytes) -> str:
    if not data:
        raise _Refused(Problem("文件格式不支持", message=f"文件是空的（0 字节）：请重新导出台账。{ACCEPTED}。"))
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise _Refused(Problem("文件格式不支持", message=(
            f"这是一个 zip 压缩包，但不是 Excel 工作簿（可能是 Word 文档或压缩文件）。{ACCEPTED}。")))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _Refused(Problem("文件格式不支持", message=(
            "这是旧版 Excel 97-2003 格式（.xls）或加密的工作簿，无法读取：请在 Excel/WPS 中“另存为”Excel 工作簿"
            f"（.xlsx，不设密码）后再导入。{ACCEPTED}。")))
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Refused(Problem("文件格式不支持", message=f"无法识别的文件类型（不是表格文件）。{ACCEPTED}。"))
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _Refused(Problem("文件格式不支持", message=(
            "这是网页或 XML 文件（有些系统导出的“.xls”实为网页）：请用 Excel/WPS 打开后“另存为”.xlsx 再导入。"
            f"{ACCEPTED}。")))
    return "csv"


def _decode(data: bytes) -> str:
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        raise _Refused(Problem("文件编码无法识别", message=(
            "CSV 文件开头标明了 UTF-8/UTF-16 编码，但内容不符合该编码（文件可能已损坏）：请用 Excel 另存为"
            "“CSV UTF-8（逗号分隔）”，或直接导入 .xlsx。"))) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _Refused(Problem("文件编码无法识别", message=(
            "CSV 文件既不是 UTF-8 也不是 GBK/GB18030 编码：请用 Excel 另存为“CSV UTF-8（逗号分隔）”，或直接导入 .xlsx。"
        ))) from None


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _score(row: list) -> int:
    return len({n for n in (_name(v) for v in row) if n})


def _read_csv(data: bytes) -> tuple[list[list], dict]:
    text = _decode(data)
    best: tuple[int, list[list]] | None = None
    for delim in (",", "\t", ";"):
        try:
            rows = _csv_rows(text, delim)
        except csv.Error as e:
            raise _Refused(Problem("文件格式不支持", message=f"CSV 文件格式有误（{e}）：请用 Excel 重新导出。")) from None
        score = max((_score(r) for r in rows[:SCAN_ROWS]), default=0)
        if best is None or score > best[0]:
            best = (score, rows)
    return best[1], {}


def _pick_sheet(worksheets: list, sheet: str | None):
    names = [ws.title for ws in worksheets]
    if sheet is None:
        if not names:
            raise _Refused(Problem("工作表不存在", message="工作簿中没有工作表：请检查文件。"))
        return worksheets[0]
    wanted = sheet.strip()
    ws = next((w for w in worksheets if w.title == wanted or w.title.strip() == wanted), None)
    if ws is None:
        raise _Refused(Problem("工作表不存在", value=sheet, message=(
            f"工作簿中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(names)}。请用 --sheet 指定其中之一。")))
    return ws


def _preflight_xlsx(data: bytes, sheet: str | None) -> tuple[dict[tuple[int, int], tuple[str, str]], list[str]]:
    """Before the full load: zip-bomb checks, the chosen sheet's size from its dimension and from its XML, its
    formula cells (read once with data_only=False, never evaluated): {(row0, col0): (coordinate, formula)}, and its
    merged ranges from the same pass over the XML."""
    import openpyxl

    zf = _check_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for damaged files; all mean the same to the analyst
        raise _unreadable(e) from None
    try:
        ws = _pick_sheet(wb.worksheets, sheet)
        limit = max_rows() + SCAN_ROWS
        declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
        if declared_rows > limit:
            raise _too_many_rows(declared_rows, f"工作表“{ws.title}”（按其尺寸标记）")
        if declared_cols > MAX_COLUMNS:
            raise _Refused(Problem("列数过多", value=f"{declared_cols:,}", message=(
                f"工作表“{ws.title}”有 {declared_cols:,} 列，超过上限 {MAX_COLUMNS:,} 列：请删除多余的列后再导入。")))
        part = getattr(ws, "_worksheet_path", None)
        n_rows = n_cells = n_formulas = 0
        refs: list[str] = []
        if part:
            n_rows, n_cells, n_formulas, refs = _scan_sheet_xml(zf, part)
            if n_rows > limit:
                raise _too_many_rows(n_rows, f"工作表“{ws.title}”")
            if n_cells > MAX_CELLS:
                raise _Refused(Problem("单元格过多", value=f"{n_cells:,}", message=(
                    f"工作表“{ws.title}”有 {n_cells:,} 个单元格，超过上限 {MAX_CELLS:,}：请删除多余的行列或格式后再导入。")))
        formulas: dict[tuple[int, int], tuple[str, str]] = {}
        if n_formulas or not part:
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        text = getattr(cell.value, "text", cell.value)
                        formulas[(cell.row - 1, cell.column - 1)] = (cell.coordinate, str(text or ""))
        return formulas, refs
    finally:
        wb.close()


def _unreadable(e: Exception) -> _Refused:
    """An xlsx that zipfile or openpyxl cannot open: one message, whatever the library raised."""
    return _Refused(Problem("文件无法读取", message=(
        f"Excel 文件已损坏或无法打开（{type(e).__name__}）：请在 Excel/WPS 中打开并重新保存为 .xlsx 后再导入。")))


def _formula_problems(formulas: dict, rows: list[list], res_warnings: list, res_errors: list) -> None:
    """A formula cell with a cached value: a warning naming cell and formula (the cached value is imported);
    without one: an error (the value is unknown, and is never computed here)."""
    uncached, cached = [], []
    for (r, c), (coord, text) in sorted(formulas.items()):
        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        (uncached if value is None else cached).append((r, c, coord, text, value))
    formula = lambda text: text if text.startswith("=") else f"={text}"  # noqa: E731
    for r, c, coord, text, _ in uncached[:MAX_FORMULA_LINES]:
        res_errors.append(Problem("公式未计算", f"{_col_letter(c)} 列", r + 1, formula(text), (
            f"单元格 {coord} 是公式“{formula(text)}”，文件中没有它的计算结果：公式未计算，请在Excel中另存为数值"
            "（或在 Excel/WPS 中打开、重新计算并保存）后再导入。")))
    if len(uncached) > MAX_FORMULA_LINES:
        res_errors.append(Problem("公式未计算", message=(
            f"另有 {len(uncached) - MAX_FORMULA_LINES} 个公式单元格没有计算结果：公式未计算，请在Excel中另存为数值。")))
    for r, c, coord, text, value in cached[:MAX_FORMULA_LINES]:
        res_warnings.append(Problem("公式单元格", f"{_col_letter(c)} 列", r + 1, formula(text), (
            f"单元格 {coord} 是公式“{formula(text)}”，已按文件中保存的计算结果“{show_value(value)}”导入（不重新计算）："
            "请确认结果是最新的；建议报送前把公式另存为数值。")))
    if len(cached) > MAX_FORMULA_LINES:
        res_warnings.append(Problem("公式单元格", message=(
            f"另有 {len(cached) - MAX_FORMULA_LINES} 个公式单元格，已按保存的计算结果导入（不重新计算）。")))


def _read_xlsx(data: bytes, sheet: str | None, refs: list[str]
               ) -> tuple[list[list], dict, str, list[str], list[tuple[int, int, int]]]:
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    try:
        # Read-only streams the sheet (~1.6× faster than building every cell object); merged ranges, which it does
        # not expose, come from the preflight's pass over the sheet's XML (refs).
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            names = [ws.title for ws in wb.worksheets]
            ws = _pick_sheet(wb.worksheets, sheet)
            ws.reset_dimensions()  # the sheet's <dimension> may be wrong: read every row and cell there is
            rows = [_rstrip(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    except _Refused:
        raise
    except Exception as e:  # openpyxl raises many types for damaged files; all mean the same to the analyst
        raise _unreadable(e) from None
    # Merged ranges matter in the header area (a merged header cell counts for every cell it covers) and, merged
    # down, in the data (1-based sheet rows, 0-based column; whether a range lies in the data is known later).
    spans: dict[tuple[int, int], tuple[object, int]] = {}
    merges: list[tuple[int, int, int]] = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # a malformed ref merges nothing
        if None in (min_col, min_row, max_col, max_row):
            continue
        if max_row > min_row:
            merges.append((min_row, max_row, min_col - 1))
        if min_row > SCAN_ROWS + 2:
            continue
        top = rows[min_row - 1] if min_row <= len(rows) else []
        value = top[min_col - 1] if min_col <= len(top) else None
        width = max_col - min_col + 1
        for r in range(min_row, min(max_row, SCAN_ROWS + 2) + 1):
            for c in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                spans[(r - 1, c - 1)] = (value, width)
    return rows, spans, ws.title, names, merges


def _rstrip(row: tuple) -> list:
    """Drop trailing empty cells: formatting can stretch a sheet to thousands of blank columns."""
    n = len(row)
    while n and row[n - 1] is None:
        n -= 1
    return list(row[:n])


def _col_letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


# ---- header detection ------------------------------------------------------------------------------------------
def _filled(rows: list[list], spans: dict, r: int, width: int) -> list:
    row = rows[r] if r < len(rows) else []
    out = []
    for j in range(width):
        v = row[j] if j < len(row) else None
        if (r, j) in spans:
            v = spans[(r, j)][0]
        out.append(v)
    return out


def _is_group_text(v: object) -> bool:
    if not isinstance(v, str) or not v.strip() or _name(v):
        return False
    return ":" not in unicodedata.normalize("NFKC", v)  # '填报单位：…' and '单位：万元' describe the file, not columns


def _groups(rows: list[list], spans: dict, t: int, width: int) -> list[object]:
    """The group header covering each column of row t: merged cell, or text carried right over empty cells."""
    top = _filled(rows, spans, t, width)
    out: list[object] = []
    carry: object = None
    for j, v in enumerate(top):
        merged = (t, j) in spans and spans[(t, j)][1] > 1
        if not _blank(v):
            carry = v if not merged else None
            out.append(v)
        else:
            out.append(carry)
    return out


def _two_level(rows: list[list], spans: dict, t: int, width: int) -> int:
    """How many columns of row t+1 are sub-headers under a group header of row t (0 = not a two-level header)."""
    if t < 0 or t + 1 >= len(rows):
        return 0
    raw_top = rows[t]
    if sum(not _blank(v) for v in raw_top) < 2:
        return 0  # a title line: one text, maybe merged across the whole width
    groups = _groups(rows, spans, t, width)
    sub = _filled(rows, spans, t + 1, width)
    return sum(1 for j in range(width) if _name(sub[j]) and _is_group_text(groups[j]))


def _unit_factor(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    s = unicodedata.normalize("NFKC", text)
    m = GROUP_UNIT_RE.search(s.replace("（", "(").replace("）", ")"))
    return UNIT_FACTORS[m.group(1)] if m else None


def _grid_table(rows: list[list], spans: dict, labels_fn) -> _Table:
    width = max((len(r) for r in rows), default=0)
    scan = min(len(rows), SCAN_ROWS)
    scores = [_score(_filled(rows, spans, r, width)) for r in range(scan)]
    if not scores or max(scores) < MIN_HEADER_MATCHES:
        raise _Refused(Problem("未找到表头", message=(
            f"前 {SCAN_ROWS} 行中没有找到表头（应含“项目编码”“项目名称”“县区”“总投资(万元)”等列名）："
            "请确认表头文字与模板一致，数据在第一个工作表（或用 --sheet 指定）。")))
    b = scores.index(max(scores))
    below, above = _two_level(rows, spans, b, width), _two_level(rows, spans, b - 1, width)
    if below and below >= above:
        t, s = b, b + 1
    elif above:
        t, s = b - 1, b
    else:
        t = s = b
    headers: list[object] = []
    group_factor: list[float | None] = []
    if t == s:
        headers = _filled(rows, spans, b, width)
        group_factor = [None] * width
    else:
        top, sub = _filled(rows, spans, t, width), _filled(rows, spans, s, width)
        groups = _groups(rows, spans, t, width)
        for j in range(width):
            if _name(sub[j]):
                headers.append(sub[j])
                group_factor.append(_unit_factor(groups[j]) if _is_group_text(groups[j]) else None)
            else:
                headers.append(top[j] if _name(top[j]) or _blank(sub[j]) else sub[j])
                group_factor.append(None)
    # A unit row above the header ('单位：万元') applies to money columns that state no unit of their own.
    sheet_factor = None
    for r in range(t):
        for v in rows[r]:
            if isinstance(v, str):
                m = UNIT_ROW_RE.search(unicodedata.normalize("NFKC", v))
                if m:
                    sheet_factor = UNIT_FACTORS[m.group(1)]
    if sheet_factor is not None:
        group_factor = [g if g is not None else sheet_factor for g in group_factor]
    data = [(r + 1, rows[r] + [None] * (width - len(rows[r]))) for r in range(s + 1, len(rows))]
    return _Table(headers, group_factor, data, t + 1, [labels_fn(j) for j in range(width)])


def _parquet_table(data: bytes) -> _Table:
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(io.BytesIO(data))
        n_rows, n_cols = meta.num_rows, meta.num_columns
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as e:  # a damaged footer: nothing else can be read either
        raise _Refused(Problem("文件无法读取", message=f"Parquet 文件无法读取（{type(e).__name__}）：请重新导出。")) from None
    if n_rows > max_rows():
        raise _too_many_rows(n_rows, "Parquet 文件")
    if n_cols > MAX_COLUMNS:
        raise _Refused(Problem("列数过多", value=f"{n_cols:,}", message=(
            f"Parquet 文件有 {n_cols:,} 列，超过上限 {MAX_COLUMNS:,} 列：请只导出台账的列。")))
    if unpacked > MAX_UNZIPPED_BYTES:
        raise _Refused(Problem("文件解压后过大", value=_mb(unpacked), message=(
            f"Parquet 文件解压后有 {_mb(unpacked)}，超过安全上限 {_mb(MAX_UNZIPPED_BYTES)}，未读取：请只导出台账的列和行。")))
    try:
        df = pl.read_parquet(io.BytesIO(data))
    except (Exception, pl.exceptions.PanicException) as e:  # damaged or foreign parquet (polars may panic on it)
        raise _Refused(Problem("文件无法读取", message=f"Parquet 文件无法读取（{type(e).__name__}）：请重新导出。")) from None
    cols = [s.to_list() for s in df.iter_columns()]
    rows = [(i + 1, [c[i] for c in cols]) for i in range(df.height)]
    return _Table(list(df.columns), [None] * df.width, rows, None, [f"第 {j + 1} 列" for j in range(df.width)])


# ---- the reader ------------------------------------------------------------------------------------------------
def _load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str | None]:
    """The file's bytes, refused above the size cap before anything is read (a path is stat'ed first; only
    regular files are read, so /dev/zero or a FIFO cannot stall the importer)."""
    cap = max_upload_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > cap:
            raise _too_big(len(source))
        return bytes(source), filename
    path = Path(source)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise _Refused(Problem("文件无法读取", value=str(path), message=(
                f"“{path}”不是普通文件（可能是设备或管道）：请指定台账文件。")))
        if st.st_size > cap:
            raise _too_big(st.st_size)
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:  # it grew after the stat
            raise _too_big(len(data))
        return data, filename or path.name
    except FileNotFoundError:
        msg = f"找不到文件“{path}”：请检查路径和文件名。"
    except IsADirectoryError:
        msg = f"“{path}”是文件夹，不是文件：请指定台账文件。"
    except PermissionError:
        msg = f"没有权限读取“{path}”：请检查文件权限，或先关闭正在打开它的程序。"
    except (OSError, ValueError) as e:  # ValueError: a path with a NUL byte, as pasted from some tools
        msg = f"无法读取“{path}”（{getattr(e, 'strerror', None) or e}）：请检查文件。"
    raise _Refused(Problem("文件无法读取", value=str(path), message=msg))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _clean_filename(name: str | None, res: ImportResult) -> str | None:
    """The file name kept for the audit log and messages: the base name only, without control characters.
    It never names a stored file (the store names files by month)."""
    if name is None:
        return None
    clean = safe_source_name(name)
    if clean != name:
        res.warnings.append(Problem("文件名已清理", value=_printable(name), message=(
            f"文件名“{show_value(_printable(name))}”含路径或特殊字符，操作记录中只记为“{clean or '（无）'}”；"
            "数据库中的文件只按报送月份命名，不使用上传的文件名。")))
    return clean


def _summary_text(value: object) -> bool:
    """'合计', '产业项目小计（20个）', '其中：续建项目合计' — but not a project named '城市总计划馆项目'."""
    if not isinstance(value, str):
        return False
    s = re.sub(r"\s+", "", value)
    if not any(w in s for w in SUMMARY_WORDS):
        return False
    if "项目" not in s and "工程" not in s:
        return True
    s = re.sub(r"[(（][^()（）]*[)）]$", "", s).rstrip(":：")
    return s.startswith(SUMMARY_WORDS) or s.endswith(SUMMARY_WORDS)


def _is_column_numbers(cells: list) -> bool:
    """A row numbering the columns: every cell a small whole number (ascending) or one of 甲乙丙丁…."""
    nums = []
    for v in cells:
        if isinstance(v, str) and v.strip() in "甲乙丙丁戊己庚辛壬癸" and len(v.strip()) == 1:
            continue
        try:
            x = float(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool) else None
        except ValueError:
            return False
        if x is None or not x.is_integer() or not 0 < x < 200:
            return False
        nums.append(x)
    return len(nums) >= 3 and nums == sorted(set(nums))


def _is_summary(values: list, id_value: object) -> bool:
    texts = [v for v in values if not _blank(v)][:2]
    hit = any(_summary_text(v) for v in texts)
    # A real project row carries its own code; a 合计 row has none (or the word itself in that cell).
    return hit and (_blank(id_value) or any(w in str(id_value) for w in SUMMARY_WORDS))


def _unmerge(table: _Table, mapping: dict[str, tuple[int, float]], mapped_cols: list[int],
             res: ImportResult) -> set[tuple[str, int]]:
    """Give each row its share of cells merged down over data rows; refuse merged codes, names and numbers."""
    by_row = {r: values for r, values in table.rows}
    name_of = {j: n for n, (j, _) in mapping.items()}
    refused: set[tuple[str, int]] = set()
    last_row = max(by_row, default=0)
    done: dict[int, int] = {}  # column → last row handled: overlapping ranges (a crafted file) are done once
    for r0, r1, j in sorted(table.merges):
        if r0 not in by_row or j not in name_of or r0 <= done.get(j, 0):
            continue  # a header merge, a column that is not imported, or an overlap
        r1 = done[j] = min(r1, last_row)
        col = COLUMN_BY_NAME[name_of[j]]
        top = by_row[r0][j]
        # Rows the merge runs over that hold nothing else (a blank line at the end of a block) stay empty.
        rows = [r for r in range(r0 + 1, r1 + 1)
                if r in by_row and any(not _blank(by_row[r][k]) for k in mapped_cols if k != j)]
        if not rows or _blank(top):
            continue
        if col.kind in MERGE_FILL_KINDS and col.name not in MERGE_REFUSED:
            for r in rows:
                by_row[r][j] = top
        else:
            refused.update((col.zh, r) for r in rows)
            res.errors.append(Problem("合并单元格", col.zh, r0, top, (
                f"第 {r0}–{r1} 行的“{col.zh}”是一个合并单元格，只有第 {r0} 行有值：每个项目的{col.zh}须各自填写，"
                "请取消合并后逐行填写。")))
    return refused


def _parse_month_arg(month: str | None) -> tuple[dt.date | None, Problem | None]:
    if month is None or not str(month).strip():
        return None, None
    try:
        d = parse_month_value(str(month))
    except ValueError:
        d = None
    if d is None:
        return None, Problem("月份格式错误", ZH["snapshot_month"], None, month,
                             f"指定的月份“{month}”无法识别：请写成 YYYY-MM，例如 2024-06。")
    return d, None


def read_ledger(source: str | Path | bytes, *, filename: str | None = None, sheet: str | None = None,
                month: str | None = None) -> ImportResult:
    """Read and check one ledger file; the frame is returned only when there are no errors."""
    res = ImportResult(frame=None, filename=filename)
    try:
        data, name = _load(source, filename)
        res.filename = _clean_filename(name, res)
        res.sha256 = hashlib.sha256(data).hexdigest()
        res.kind = _sniff(data)
        if res.kind == "parquet":
            table = _parquet_table(data)
            if sheet:
                res.warnings.append(Problem("参数被忽略", message="Parquet 文件没有工作表，已忽略指定的工作表名。"))
        elif res.kind == "xlsx":
            formulas, refs = _preflight_xlsx(data, sheet)
            rows, spans, res.sheet, _, merges = _read_xlsx(data, sheet, refs)
            _formula_problems(formulas, rows, res.warnings, res.errors)
            table = _grid_table(rows, spans, lambda j: f"{_col_letter(j)} 列")
            table.merges = merges
        else:
            rows, spans = _read_csv(data)
            if len(rows) > max_rows() + SCAN_ROWS:
                raise _too_many_rows(len(rows), "CSV 文件")
            if sheet:
                res.warnings.append(Problem("参数被忽略", message="CSV 文件没有工作表，已忽略指定的工作表名。"))
            table = _grid_table(rows, spans, lambda j: f"第 {j + 1} 列")
    except _Refused as e:
        res.errors.append(e.problem)
        return res
    res.header_row = table.header_row
    _build(table, res, month)
    return res


def _build(table: _Table, res: ImportResult, month: str | None) -> None:
    where = f"第 {table.header_row} 行表头" if table.header_row else "表头"
    found = [str(h).strip() for h in table.headers if not _blank(h)]
    mapping: dict[str, tuple[int, float]] = {}
    unmatched: list[int] = []
    for j, h in enumerate(table.headers):
        if _blank(h):
            unmatched.append(j)
            continue
        name, factor = _match(str(h))
        if name is None:
            if normalize_header(h) not in SEQ_HEADERS:
                unmatched.append(j)
            continue
        if COLUMN_BY_NAME[name].kind == "money" and split_unit(str(h))[1] is None and table.group_factor[j]:
            factor = table.group_factor[j]
        if name in mapping:
            first = mapping[name][0]
            res.errors.append(Problem("表头重复", ZH[name], table.header_row, str(h), (
                f"{table.labels[first]}“{table.headers[first]}”和 {table.labels[j]}“{h}”都对应“{ZH[name]}”："
                "请删除或改名其中一列。")))
            continue
        mapping[name] = (j, factor)

    mapped_cols = [j for j, _ in mapping.values()]
    merged_refused = _unmerge(table, mapping, mapped_cols, res)

    # Data rows: drop empty, summary (合计), group heading, repeated header and footnote rows.
    id_col = mapping.get("project_id", (None,))[0]
    attr_cols = [mapping[n][0] for n in SECTION_BLANK if n in mapping]
    keep: list[tuple[int, list]] = []
    for src_row, values in table.rows:
        texts = [v for v in values if not _blank(v)]
        # Template rows with only a pre-printed 序号 count as empty: no mapped column holds anything.
        if not texts or all(_blank(values[j]) for j in mapped_cols):
            if texts and any(isinstance(v, str) and FOOTNOTE_RE.match(v.strip()) for v in texts[:2]):
                res.warnings.append(Problem("已跳过说明行", "", src_row, texts[0],
                                            "表格下方的说明、签字行不作为项目导入。"))
            continue
        if not keep and _is_column_numbers([values[j] for j in mapped_cols]):
            continue  # the 栏次 row (甲 乙 1 2 3 …) that statistical tables put under the header
        id_value = values[id_col] if id_col is not None else None
        if _is_summary(values, id_value):
            continue
        if (_blank(id_value) and any(isinstance(v, str) and SECTION_RE.match(_nfkc(v)) for v in texts[:2])
                and all(_blank(values[j]) for j in attr_cols)):
            heading = " ".join(v.strip() for v in texts[:2] if isinstance(v, str))  # '一 产业类项目' or '一、…'
            res.warnings.append(Problem("已跳过分组标题行", "", src_row, heading, (
                f"“{heading}”是分组标题（小计）行，不是项目，未导入：如确为项目，请补填项目编码等必填项。")))
            continue
        repeats = sum(1 for n, (j, _) in mapping.items() if _name(values[j]) == n)
        if repeats >= max(2, len(mapping) // 3):
            continue
        note = next((v for v in texts[:2] if isinstance(v, str) and FOOTNOTE_RE.match(v.strip())), None)
        if _blank(id_value) and len(texts) <= 3 and note is not None:
            texts = [note]
            res.warnings.append(Problem("已跳过说明行", "", src_row, texts[0],
                                        "表格下方的说明、签字行不作为项目导入：如确为项目，请补填项目编码。"))
            continue
        keep.append((src_row, values))

    for j in unmatched:
        h = table.headers[j]
        if _blank(h):
            if any(not _blank(values[j]) for _, values in keep):
                res.warnings.append(Problem("未识别的列", table.labels[j], table.header_row, "",
                                            f"{table.labels[j]}没有表头但有数据，已忽略：如需导入，请补上标准表头。"))
        else:
            res.warnings.append(Problem("未识别的列", str(h).strip(), table.header_row, str(h), (
                f"{table.labels[j]}表头“{str(h).strip()}”不是标准列名，此列已忽略：如需导入，请改为标准表头"
                "（如“总投资(万元)”“计划开工时间”）。")))

    missing_required = []
    for col in COLUMNS:
        if col.name in mapping or col.name == "snapshot_month":
            continue
        aka = f"（也可写作：{'、'.join(col.aliases)}）" if col.aliases else ""
        if col.required:
            missing_required.append(col.name)
            res.errors.append(Problem("缺少必填列", col.zh, table.header_row, "", (
                f"{where}中找不到必填列“{col.zh}”{aka}。已识别的表头：{'、'.join(found)}。请补上该列或更正列名。")))
        else:
            res.warnings.append(Problem("缺少可选列", col.zh, table.header_row, "",
                                        f"没有找到“{col.zh}”列{aka}，按空值处理：如有此项数据，请补上该列。"))

    # Parse every mapped cell; an unreadable value is an error, never silently nulled.
    res.source_rows = [r for r, _ in keep]
    n = len(keep)
    columns: dict[str, list] = {}
    bad_cells: set[tuple[str, int]] = set(merged_refused)
    for col in COLUMNS:
        if col.name not in mapping:
            columns[col.name] = [None] * n
            continue
        j, factor = mapping[col.name]
        parse = PARSERS[col.kind]
        out = []
        for src_row, values in keep:
            raw = values[j]
            try:
                v = parse(raw)
            except (ValueError, OverflowError, TypeError):
                v = None
                bad_cells.add((col.zh, src_row))
                res.errors.append(Problem("类型错误", col.zh, src_row, raw,
                                          f"“{col.zh}”的值无法识别：{HOW_TO_FIX[col.kind]}"))
            if v is not None and factor != 1.0:
                v = round(v * factor, 8)
            out.append(v)
        columns[col.name] = out

    # 报送月份: from the column, or the month argument; both present must agree.
    arg, problem = _parse_month_arg(month)
    if problem:
        res.errors.append(problem)
    if "snapshot_month" in mapping and arg is not None and all(m is None for m in columns["snapshot_month"]):
        del mapping["snapshot_month"]  # an empty 报送月份 column is the same as none: the argument fills it
    if "snapshot_month" in mapping:
        found_months = sorted({m for m in columns["snapshot_month"] if m is not None})
        if len(found_months) == 1:
            res.month = month_key(found_months[0])
            if arg is not None and arg != found_months[0]:
                res.errors.append(Problem("月份冲突", ZH["snapshot_month"], None, res.month, (
                    f"文件中的报送月份是 {res.month}，但指定的月份是 {month_key(arg)}：请核对，"
                    "去掉 --month 或改为文件中的月份。")))
    elif arg is not None:
        columns["snapshot_month"] = [arg] * n
        res.month = month_key(arg)
    elif not problem:
        res.errors.append(Problem("缺少报送月份", ZH["snapshot_month"], table.header_row, "", (
            "文件中没有“报送月份”列，也没有指定月份：请在表中增加“报送月份”列（如 2024-06），"
            "或导入时指定月份（命令行加 --month 2024-06）。")))

    if n == 0 and not res.errors:
        res.errors.append(Problem("没有数据", "", table.header_row, "", (
            f"{where}下面没有项目数据：请确认数据在表头下方，且不是只有合计行。")))

    frame = pl.DataFrame({c.name: pl.Series(c.name, columns[c.name], dtype=c.dtype) for c in COLUMNS})
    # Columns already reported as missing would fail every row again; leave them out of the rule checks.
    absent = set(missing_required) | ({"snapshot_month"} if "snapshot_month" not in mapping and arg is None else set())
    checked = frame.drop(sorted(absent)) if absent else frame
    for p in validate(checked, res.source_rows):
        if p.rule == "必填项为空" and (p.column, p.row) in bad_cells:
            continue  # already reported as 类型错误 with the raw value
        res.errors.append(p)
    if not res.errors:
        res.frame = frame.select(list(SCHEMA.names())).cast(SCHEMA)


# ---- import into the store -------------------------------------------------------------------------------------
def previous_month(month: str) -> str:
    """'2024-01' → '2023-12'."""
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def _previous_rows(store: Store, month: str, units: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """Last month's published rows of the units this file submits (other units' projects are not 'missing')."""
    prev_key = previous_month(month)
    if prev_key not in store.months():
        return None
    previous = store.read(prev_key)
    owners = unit_column(previous, store.units(prev_key))
    return previous.filter(owners.is_in(list(units)))


def _foreign_rows(frame: pl.DataFrame, source_rows, unit: str) -> list[Problem]:
    """A county reporter's rows of another county, each named."""
    rows = list(source_rows) if source_rows else list(range(1, frame.height + 1))
    return [Problem("不属于本单位", ZH["county"], rows[i], county,
                    f"第 {rows[i]} 行“{name}”属于“{county}”，您只能报送“{unit}”的项目：请删除该行，或由{county}报送。")
            for i, (county, name) in enumerate(frame.select("county", "project_name").iter_rows()) if county != unit]


def _is_county(store: Store, unit: str, frame: pl.DataFrame) -> bool:
    """A unit is a county (its rows are its 县区's) when that name is a 县区 in this file or any stored month."""
    if unit in set(frame.get_column("county")):
        return True
    return any(unit in st for st in (store.units(m) for m in store.months()[-1:]) if unit in st and
               st[unit].kind == "county")


def import_file(path_or_bytes: str | Path | bytes, *, store: Store, filename: str | None = None,
                sheet: str | None = None, month: str | None = None, replace: bool = False, user: str = "",
                dry_run: bool = False, unit: str | None = None, reporter_unit: str | None = None) -> ImportOutcome:
    """Read, validate, compare each unit with its stored previous month, and write only when there are no
    errors: an analyst's import publishes (rows grouped by 县区, or all as the named `unit`); a reporter's
    (`reporter_unit`) becomes that unit's submission awaiting review."""
    res = read_ledger(path_or_bytes, filename=filename, sheet=sheet, month=month)
    errors, warnings = list(res.errors), list(res.warnings)
    rows = res.frame.height if res.frame is not None else len(res.source_rows)
    named = unit
    if res.frame is not None and reporter_unit:
        if _is_county(store, reporter_unit, res.frame):
            errors.extend(_foreign_rows(res.frame, res.source_rows, reporter_unit))
        else:
            named = reporter_unit
    if res.frame is not None and res.month and not errors:
        try:
            plan = store.plan(res.frame, unit=named)
            previous = _previous_rows(store, plan.month, plan.units)
        except (Exception, pl.exceptions.PanicException):  # an unreadable stored month must not block this import
            plan, previous = None, None
            warnings.append(Problem("上月数据无法读取", message=f"库中 {previous_month(res.month)} 或本月的数据无法读取，"
                                    "已跳过与已有数据的比对。"))
        warnings.extend(compare_with_previous(res.frame, previous, res.source_rows))
        changes = [f"{u}：{text}" for u, text in plan.changes.items()] if plan else []
        published = list(plan.changes) if plan else []
        errors.extend(Problem("项目重复报送", ZH["project_id"], None, "", msg) for msg in (plan.clashes if plan else []))
        if published and reporter_unit:
            warnings.append(Problem("将替换已有数据", ZH["snapshot_month"], None, res.month, (
                f"{res.month} 已有{'、'.join(published)}已发布的数据：审核通过后将替换（{'；'.join(changes)}）。")))
        elif published and (replace or dry_run):
            warnings.append(Problem("将替换已有数据" if replace else "月份已有数据", ZH["snapshot_month"], None, res.month, (
                f"库中 {res.month} 中{'、'.join(published)}已有数据，"
                + ("将被替换（旧版本保存在历史记录中），其他单位不变：" if replace else "正式导入时需选择“替换”（命令行加 --replace）：")
                + "；".join(changes) + "。")))
        elif published:
            errors.append(Problem("月份已有数据", ZH["snapshot_month"], None, res.month, (
                f"库中 {res.month} 中{'、'.join(published)}已有数据，未覆盖：如需替换这些单位的数据，"
                "请勾选“替换”（命令行加 --replace）；其他单位的数据不受影响。（" + "；".join(changes) + "）")))
    outcome = ImportOutcome(ok=not errors, month=res.month, rows=rows, errors=errors, warnings=warnings, result=res)
    if errors or dry_run:
        return outcome
    try:
        if reporter_unit:
            outcome.record = store.submit(res.frame, unit=reporter_unit, source=res.filename or "",
                                          source_sha256=res.sha256, user=user)
        else:
            outcome.record = store.write(res.frame, source=res.filename or "", source_sha256=res.sha256,
                                         replace=replace, user=user, unit=named)
    except StoreError as e:
        outcome.errors.append(Problem("写入被拒绝", ZH["snapshot_month"], None, res.month or "", str(e)))
        outcome.ok = False
    except OSError as e:
        outcome.errors.append(Problem("写入失败", "", None, "", (
            f"写入数据库失败（{e.strerror or e}）：库中原有数据未改变。请检查磁盘空间和目录权限后重试。")))
        outcome.ok = False
    return outcome
