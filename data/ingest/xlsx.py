"""Excel workbooks (.xlsx): the sheet list and date system, size checks from the zip and the sheet XML, and what no
value reader gives — formula cells (with their text), error cells (#DIV/0!) and merged ranges — from the sheet XML."""
from __future__ import annotations

import html
import io
import re
import zipfile

from data.ingest import source
from data.ingest.header import SCAN_ROWS
from data.ingest.source import MAX_COLUMNS, check_zip, max_rows, too_many_columns, too_many_rows, unreadable
from data.ingest.workbook import Scan, SheetInfo, calamine_book, too_many_cells

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW_TAG = re.compile(rb"<" + _NS + rb"row[\s>/]")
_CELL_TAG = re.compile(rb"<" + _NS + rb"c[\s>/]")
_FORMULA_TAG = re.compile(rb"<" + _NS + rb"f[\s>/]")
_CELL_END = re.compile(rb"</" + _NS + rb"c>")
_ERROR_ATTR = re.compile(rb"\bt\s*=\s*[\"']e[\"']")
_REF_ATTR = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d+)[\"']")
_F_ELEMENT = re.compile(rb"<" + _NS + rb"f\b([^>]*?)(/>|>(.*?)</" + _NS + rb"f>)", re.S)
_V_ELEMENT = re.compile(rb"<" + _NS + rb"v>(.*?)</" + _NS + rb"v>", re.S)
_STR_TYPE = re.compile(rb"\bt\s*=\s*[\"']str[\"']")
_SHARED = re.compile(rb"\bt\s*=\s*[\"']shared[\"']")
_SI_ATTR = re.compile(rb"\bsi\s*=\s*[\"'](\d+)[\"']")
_MERGE_REF = re.compile(rb"<" + _NS + rb"mergeCell\b[^>]*?\bref=\"([A-Za-z$]+\$?\d+(?::[A-Za-z$]+\$?\d+)?)\"")
_TAG_ENDS = (b" ", b">", b"/", b"\n")
CHUNK = 1 << 20  # the sheet XML is read this much at a time
CELL_WINDOW = 1 << 16  # a cell element is never longer (Excel caps a formula at 8,192 characters)




def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace"))


def _open_cell_start(head: bytes) -> int | None:
    """Where the last cell element of head starts when head cuts it short (it is carried to the next chunk)."""
    window = max(0, len(head) - CELL_WINDOW)
    starts = list(_CELL_TAG.finditer(head, window))
    if not starts:
        return None
    i = starts[-1].start()
    tag_end = head.find(b">", i)
    if tag_end < 0:
        return i
    if head[tag_end - 1:tag_end] == b"/":
        return None  # <c r="A1"/>: complete
    return None if _CELL_END.search(head, tag_end) else i


class _SheetXml:
    """The streaming scan of one sheet's XML: counts, merged ranges, formula cells, error cells."""

    def __init__(self) -> None:
        self.scan = Scan()
        self.rows = self.cells = 0
        self.shared: dict[bytes, tuple[str, str]] = {}  # shared formula si → (master text, master coordinate)

    def _cell(self, head: bytes, pos: int) -> tuple[bytes, bytes, tuple[int, int], str] | None:
        """(start tag, body, (row0, col0), coordinate) of the cell element around pos."""
        start, floor = pos, max(0, pos - CELL_WINDOW)
        while True:  # back over the few tags between pos and its cell's start tag
            start = head.rfind(b"<", floor, start)
            if start < 0:
                return None
            if _CELL_TAG.match(head, start):
                break
        tag_end = head.find(b">", start)
        ref = _REF_ATTR.search(head, start, tag_end)
        if tag_end < 0 or ref is None:
            return None  # a cell without its r="B5" cannot be placed; calamine places it, as a value
        end = _CELL_END.search(head, tag_end)
        body = b"" if head[tag_end - 1:tag_end] == b"/" or end is None else head[tag_end + 1:end.start()]
        coord = f"{ref.group(1).decode().upper()}{int(ref.group(2))}"
        return head[start:tag_end], body, (int(ref.group(2)) - 1, _col_index(ref.group(1))), coord

    def _formula(self, head: bytes, pos: int, seen: set) -> None:
        cell = self._cell(head, pos)
        if cell is None or cell[2] in seen:
            return
        tag, body, key, coord = cell
        seen.add(key)
        f = _F_ELEMENT.search(body)
        if f is None:
            return
        attrs, text = f.group(1), _text(f.group(3) or b"")
        si = _SI_ATTR.search(attrs)
        if _SHARED.search(attrs) and si:
            if text:
                self.shared[si.group(1)] = (text, coord)
            elif si.group(1) in self.shared:  # a shared formula's dependent: the master's text, moved here
                from openpyxl.formula.translate import Translator

                master, origin = self.shared[si.group(1)]
                try:
                    text = Translator("=" + master, origin=origin).translate_formula(coord)[1:]
                except Exception:  # an untranslatable master: name the cell with the master's text
                    text = master
        self.scan.formulas[key] = (coord, text)
        if _STR_TYPE.search(tag) and _V_ELEMENT.search(body):
            self.scan.empty_results.add(key)  # t="str" with a saved result: "" if calamine reads it as empty

    def feed(self, head: bytes) -> None:
        if b":c" in head or b":row" in head:  # namespace prefixes (<x:c …>): the general patterns
            self.rows += len(_ROW_TAG.findall(head))
            self.cells += len(_CELL_TAG.findall(head))
        else:  # what Excel and WPS write: counting the plain tags is several times faster than the patterns
            self.rows += sum(head.count(b"<row" + end) for end in _TAG_ENDS)
            self.cells += sum(head.count(b"<c" + end) for end in _TAG_ENDS)
        if b"mergeCell" in head:
            self.scan.merges += [m.decode("ascii") for m in _MERGE_REF.findall(head)]
        if b"<f" in head or b":f" in head:
            seen: set = set()
            for m in _FORMULA_TAG.finditer(head):
                self._formula(head, m.start(), seen)
        if b'"e"' in head or b"'e'" in head:
            for m in _ERROR_ATTR.finditer(head):
                cell = self._cell(head, m.start())
                if cell is not None and _ERROR_ATTR.search(cell[0]):
                    v = _V_ELEMENT.search(cell[1])
                    self.scan.errors[cell[2]] = _text(v.group(1)) if v else "#N/A"


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> _SheetXml:
    """The sheet's XML read as a stream (its own <dimension> may lie), each chunk cut before an unfinished tag or
    cell element so that no count and no cell is split."""
    out = _SheetXml()
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            if not chunk:
                cut = len(buf)
            else:
                cut = buf.rfind(b"<")
                cut = len(buf) if cut < 0 else cut
                open_cell = _open_cell_start(buf[:cut])
                cut = cut if open_cell is None else open_cell
            head, tail = buf[:cut], buf[cut:]
            out.feed(head)
            if not chunk:
                return out
            if len(tail) > CELL_WINDOW:  # a '<' or a cell that never closes: not XML we could use, stop carrying it
                out.feed(tail)
                tail = b""


class XlsxBook:
    """An .xlsx opened for reading: zip checks first, then the sheet list (openpyxl, read-only) and the values
    reader (python-calamine); each sheet's XML is scanned when the sheet is asked for."""

    kind = "xlsx"

    def __init__(self, data: bytes):
        import openpyxl
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        self._zip = check_zip(data)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as e:  # openpyxl raises many types for damaged files; all mean the same to the analyst
            raise unreadable(e) from None
        try:
            self.date1904 = wb.epoch == CALENDAR_MAC_1904
            self.sheets = [SheetInfo(ws.title, ws.sheet_state == "visible") for ws in wb.worksheets]
            self._meta = {ws.title: (getattr(ws, "_worksheet_path", None), ws.max_row or 0, ws.max_column or 0)
                          for ws in wb.worksheets}
        finally:
            wb.close()
        self.values = calamine_book(data, self.kind)

    def scan(self, name: str) -> Scan:
        """The sheet's formula cells, error cells and merged ranges; Refused above the row, column or cell cap."""
        part, declared_rows, declared_cols = self._meta[name]
        limit = max_rows() + SCAN_ROWS
        if declared_rows > limit:
            raise too_many_rows(declared_rows, f"工作表“{name}”（按其尺寸标记）")
        if declared_cols > MAX_COLUMNS:
            raise too_many_columns(declared_cols, f"工作表“{name}”", "请删除多余的列后再导入。")
        if not part:
            return Scan()
        try:
            xml = _scan_sheet_xml(self._zip, part)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise unreadable(e) from None
        if xml.rows > limit:
            raise too_many_rows(xml.rows, f"工作表“{name}”")
        if xml.cells > source.MAX_CELLS:  # read at each call, so a deployment (or test) may lower it
            raise too_many_cells(xml.cells, name)
        xml.scan.merges = _merge_bounds(xml.scan.merges)
        return xml.scan


def _merge_bounds(refs: list[str]) -> list[tuple[int, int, int, int]]:
    """'A1:AG1' → (min_row, min_col, max_row, max_col), 1-based; a malformed ref merges nothing."""
    from openpyxl.utils.cell import range_boundaries

    out = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if None not in (min_col, min_row, max_col, max_row):
            out.append((min_row, min_col, max_row, max_col))
    return out

