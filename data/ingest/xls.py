"""Excel 97-2003 workbooks (.xls, BIFF8 in an OLE file): the sheet list, the 1904 flag, each sheet's size, formula
cells and error cells from one walk over the BIFF records (values and merged ranges come from python-calamine)."""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

from data.ingest import source
from data.ingest.header import SCAN_ROWS
from data.ingest.source import ACCEPTED, Refused, max_rows, too_many_rows, unreadable
from data.ingest.workbook import Scan, SheetInfo, calamine_book, col_letter, too_many_cells
from data.problems import Problem

# BIFF record types (Microsoft [MS-XLS] 2.3)
BOF, EOF, BOUNDSHEET, DATEMODE, FILEPASS = 0x0809, 0x000A, 0x0085, 0x0022, 0x002F
FORMULA, BOOLERR, MULRK, MULBLANK = 0x0006, 0x0205, 0x00BD, 0x00BE
SINGLE_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0201, FORMULA, BOOLERR}  # NUMBER RK LABELSST LABEL RSTRING BLANK
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
          0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


@dataclass
class _Sheet:
    name: str
    visible: bool
    offset: int
    rows: int = 0
    cells: int = 0
    scan: Scan = field(default_factory=Scan)


def _not_a_workbook(message: str) -> Refused:
    return Refused(Problem("文件格式不支持", message=f"{message}{ACCEPTED}。"))


def _stream(data: bytes) -> bytes:
    """The Workbook stream of the OLE file; a password-protected .xlsx or another Office file is refused."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # not a readable OLE file at all
        raise _not_a_workbook("这是旧版 Office 格式的文件，但已损坏或不是 Excel 97-2003 工作簿（.xls），无法读取：请在 Excel/WPS 中"
                              "“另存为”Excel 工作簿（.xlsx）后再导入。") from None
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise _not_a_workbook("这个 Excel 工作簿设置了打开密码（已加密），无法读取：请在 Excel/WPS 中取消密码后"
                                  "另存为 .xlsx 再导入。")
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            raise _not_a_workbook("这是旧版 Office 文件（可能是 Word 文档），不是 Excel 工作簿（.xls）：请导出台账工作簿。")
        if ole.get_size(name) > source.max_upload_bytes():
            raise unreadable(ValueError("stream size"), "xls")
        return ole.openstream(name).read()
    except Refused:
        raise
    except Exception as e:
        raise unreadable(e, "xls") from None
    finally:
        ole.close()


def _records(s: bytes, pos: int):
    """(type, body) of each record from pos to the substream's EOF (or the stream's end)."""
    n = len(s)
    while pos + 4 <= n:
        rtype, size = struct.unpack_from("<HH", s, pos)
        body = s[pos + 4:pos + 4 + size]
        pos += 4 + size
        yield rtype, body
        if rtype == EOF:
            return


def _sheet_name(body: bytes) -> str:
    cch, flags = body[6], body[7] if len(body) > 7 else 0
    raw = body[8:]
    return raw[:2 * cch].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")


def _globals(s: bytes) -> tuple[list[_Sheet], bool]:
    sheets, date1904 = [], False
    for rtype, body in _records(s, 0):
        if rtype == FILEPASS:
            raise _not_a_workbook("这个 Excel 工作簿设置了打开密码（已加密），无法读取：请在 Excel/WPS 中取消密码后"
                                  "另存为 .xlsx 再导入。")
        if rtype == DATEMODE and len(body) >= 2:
            date1904 = struct.unpack_from("<H", body)[0] == 1
        elif rtype == BOUNDSHEET and len(body) >= 8 and body[5] == 0:  # a worksheet (not a chart or macro sheet)
            sheets.append(_Sheet(_sheet_name(body), body[4] == 0, struct.unpack_from("<I", body)[0]))
    return sheets, date1904


def _walk(s: bytes, sheet: _Sheet) -> None:
    """Count the sheet's rows and cells; note its formula cells (with their cached result) and error cells."""
    top, scan = -1, sheet.scan
    for rtype, body in _records(s, sheet.offset):
        if len(body) < 6:
            continue
        row, col = struct.unpack_from("<HH", body)
        if rtype in SINGLE_CELLS:
            sheet.cells += 1
        elif rtype in (MULRK, MULBLANK) and len(body) >= 6:
            sheet.cells += max(0, struct.unpack_from("<H", body, len(body) - 2)[0] - col + 1)
        else:
            continue
        top = max(top, row)
        if rtype == FORMULA and len(body) >= 14:
            scan.formulas[(row, col)] = (f"{col_letter(col)}{row + 1}", "")  # BIFF keeps parsed tokens, not text
            result = body[6:14]
            if result[6:8] == b"\xff\xff" and result[0] == 2:
                scan.errors[(row, col)] = ERRORS.get(result[2], "#N/A")
            elif result[6:8] == b"\xff\xff" and result[0] == 3:
                scan.empty_results.add((row, col))  # BIFF always saves a result; this one is the empty string
        elif rtype == BOOLERR and len(body) >= 8 and body[7] == 1:
            scan.errors[(row, col)] = ERRORS.get(body[6], "#N/A")
    sheet.rows = top + 1


class XlsBook:
    """An .xls opened for reading: the BIFF walk first (sizes, formulas, errors, 1904), then python-calamine."""

    kind = "xls"

    def __init__(self, data: bytes):
        s = _stream(data)
        self._sheets, self.date1904 = _globals(s)
        for sheet in self._sheets:
            if 0 < sheet.offset < len(s):
                _walk(s, sheet)
        self.values = calamine_book(data, self.kind)
        self._names_from_calamine()
        self.sheets = [SheetInfo(sh.name, sh.visible) for sh in self._sheets]

    def _names_from_calamine(self) -> None:
        """Sheet names as calamine decodes them (it knows the code page of older files), matched by position."""
        try:
            import python_calamine

            meta = [m for m in self.values.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        except Exception:  # no metadata: the names read from BOUNDSHEET stand
            return
        if len(meta) == len(self._sheets):
            for sheet, m in zip(self._sheets, meta):
                sheet.name = m.name

    def scan(self, name: str) -> Scan:
        """The sheet's formula cells, error cells and merged ranges; Refused above the row or cell cap."""
        sheet = next(sh for sh in self._sheets if sh.name == name)
        if sheet.rows > max_rows() + SCAN_ROWS:
            raise too_many_rows(sheet.rows, f"工作表“{name}”")
        if sheet.cells > source.MAX_CELLS:  # read at each call, so a deployment (or test) may lower it
            raise too_many_cells(sheet.cells, name)
        try:
            ranges = self.values.get_sheet_by_name(name).merged_cell_ranges or []
        except BaseException as e:  # noqa: BLE001 — a Rust panic on a damaged file is a BaseException
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise unreadable(e, self.kind) from None
        sheet.scan.merges = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]
        return sheet.scan
