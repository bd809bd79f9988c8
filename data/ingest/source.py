"""Source bytes and limits: the caps against hostile files, loading the bytes, zip checks, the file type, decoding."""
from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from data.files import safe_source_name
from data.problems import Problem, show_value

ACCEPTED = ("只支持 Excel 工作簿（.xlsx 或 97-2003 格式的 .xls）、CSV 文本（.csv，UTF-8 或 GBK/GB18030 编码）"
            "和 Parquet（.parquet）文件")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls, a password-protected .xlsx, .doc …
# Limits against hostile or broken files, all checked before a parser touches the content.
MAX_UPLOAD_MB_VAR = "KPM_MAX_UPLOAD_MB"   # the file size cap (also Streamlit's server.maxUploadSize)
DEFAULT_MAX_UPLOAD_MB = 50
MAX_ROWS_VAR = "KPM_MAX_ROWS"
DEFAULT_MAX_ROWS = 200_000                # data rows; a county ledger has a few thousand at most
MAX_UNZIPPED_BYTES = 200 * 2**20          # xlsx: sum of the uncompressed sizes in the zip central directory
MAX_ZIP_RATIO = 100                       # xlsx: uncompressed ÷ compressed for any member larger than 1 MiB
MAX_ZIP_MEMBERS = 5_000
MAX_CELLS = 10_000_000                    # xlsx, xls: cells in a sheet read (each one is held in memory)
MAX_COLUMNS = 1_000


class Refused(Exception):
    """A fatal problem with the file as a whole (type, encoding, size, sheet, header)."""

    def __init__(self, problem: Problem, unknown_headers: list[str] | None = None):
        super().__init__(problem.message)
        self.problem = problem
        self.unknown_headers = list(unknown_headers or [])  # headings not recognised (a header not found)


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


def mb(n: int) -> str:
    """A byte count in MB for messages."""
    return f"{n / 2**20:,.1f} MB"


def _too_big(size: int) -> Refused:
    cap = max_upload_bytes()
    return Refused(Problem("文件过大", value=mb(size), message=(
        f"文件大小 {mb(size)}，超过上限 {mb(cap)}：台账不应这么大，请检查是否导出了多余的工作表、图片或空白行；"
        f"确需导入请联系管理员调整上限（环境变量 {MAX_UPLOAD_MB_VAR}）。")))


def too_many_rows(n: int, what: str) -> Refused:
    """The refusal of a file whose `what` (CSV 文件, 工作表“…”) has n rows, over the row cap."""
    return Refused(Problem("行数过多", value=f"{n:,}", message=(
        f"{what}有 {n:,} 行，超过上限 {max_rows():,} 行：请确认没有误选整列格式或导出多余内容；"
        f"确需导入请联系管理员调整上限（环境变量 {MAX_ROWS_VAR}）。")))


def too_many_columns(n: int, what: str, fix: str) -> Refused:
    """The refusal of a file whose `what` has n columns, over the column cap."""
    return Refused(Problem("列数过多", value=f"{n:,}", message=(
        f"{what}有 {n:,} 列，超过上限 {MAX_COLUMNS:,} 列：{fix}")))


def unreadable(e: BaseException, kind: str = "xlsx") -> Refused:
    """A workbook that the zip, openpyxl or calamine cannot open: one message, whatever the library raised."""
    return Refused(Problem("文件无法读取", message=(
        f"Excel 文件（.{kind}）已损坏或无法打开（{type(e).__name__}）：请在 Excel/WPS 中打开并重新保存为 .xlsx 后再导入。")))


def load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str | None]:
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
            raise Refused(Problem("文件无法读取", value=str(path), message=(
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
    raise Refused(Problem("文件无法读取", value=str(path), message=msg))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def clean_filename(name: str | None, warnings: list[Problem]) -> str | None:
    """The base name without control characters, for the audit log and messages (stored files are named by month)."""
    if name is None:
        return None
    clean = safe_source_name(name)
    if clean != name:
        warnings.append(Problem("文件名已清理", value=_printable(name), message=(
            f"文件名“{show_value(_printable(name))}”含路径或特殊字符，操作记录中只记为“{clean or '（无）'}”；"
            "数据库中的文件只按报送月份命名，不使用上传的文件名。")))
    return clean


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Refuse zip bombs from the central directory before any member is decompressed. Python's zipfile never
    inflates a member past the size the directory declares (and checks its CRC), so the declared sizes bind."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise unreadable(e) from None
    total = sum(i.file_size for i in infos)
    bomb = len(infos) > MAX_ZIP_MEMBERS or total > MAX_UNZIPPED_BYTES or any(
        i.file_size > 2**20 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1) for i in infos)
    if bomb:
        raise Refused(Problem("文件解压后过大", value=mb(total), message=(
            f"这个 Excel 文件解压后有 {mb(total)}（{len(infos)} 个部件），超过安全上限 {mb(MAX_UNZIPPED_BYTES)} "
            f"或压缩比上限 {MAX_ZIP_RATIO} 倍，疑似“压缩炸弹”或含大量空白格式，未读取：请另存为只含台账的新工作簿后再导入。")))
    return zf


def _unsupported(message: str) -> Refused:
    return Refused(Problem("文件格式不支持", message=message))


def sniff(data: bytes) -> str:
    """'xlsx', 'xls', 'parquet' or 'csv' from the content (never the file name); other types are refused."""
    if not data:
        raise _unsupported(f"文件是空的（0 字节）：请重新导出台账。{ACCEPTED}。")
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise _unsupported(f"这是一个 zip 压缩包，但不是 Excel 工作簿（可能是 Word 文档或压缩文件）。{ACCEPTED}。")
    if data[:8] == OLE_MAGIC:
        return "xls"  # which OLE file it is (a workbook, an encrypted .xlsx, a Word .doc) is told by data.ingest.xls
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _unsupported(f"无法识别的文件类型（不是表格文件）。{ACCEPTED}。")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _unsupported("这是网页或 XML 文件（有些系统导出的“.xls”实为网页）：请用 Excel/WPS 打开后“另存为”Excel 工作簿（.xlsx）再导入。"
                           f"{ACCEPTED}。")
    return "csv"


def _undecodable(what: str) -> Refused:
    return Refused(Problem("文件编码无法识别", message=(
        f"{what}：请用 Excel 另存为“CSV UTF-8（逗号分隔）”，或直接导入 .xlsx。")))


def decode(data: bytes) -> str:
    """CSV text: a UTF-8/UTF-16 byte-order mark is obeyed; otherwise UTF-8, then GB18030 (which covers GBK)."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        raise _undecodable("CSV 文件开头标明了 UTF-8/UTF-16 编码，但内容不符合该编码（文件可能已损坏）") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _undecodable("CSV 文件既不是 UTF-8 也不是 GBK/GB18030 编码") from None
