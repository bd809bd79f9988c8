"""Write a snapshot frame as a real-looking county Excel ledger (台账), laid out like the shared sample file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side
from openpyxl.utils import get_column_letter

from data.city import DEMO_CITY
from data.ledger_xlsx import head, title_row, yes_no
from data.schema import COLUMN_BY_NAME, COLUMN_NAMES, ZH

CITY = DEMO_CITY
SHEET_TITLE = "重点项目台账"

# Two-level header groups: (group title, member columns, sub-header labels shown under the group).
GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("投资情况(万元)",
     ("total_investment", "plan_investment_year", "completed_investment_ytd", "completed_investment_total",
      "funds_in_place_ytd"),
     ("总投资", "年度计划投资", "本年累计完成投资", "开工累计完成投资", "本年资金到位")),
    ("进度计划", ("planned_start", "actual_start", "planned_completion"),
     (ZH["planned_start"], ZH["actual_start"], ZH["planned_completion"])),
    ("前期手续办理情况",
     ("proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy", "proc_construction_permit"),
     (ZH["proc_approval"], ZH["proc_land"], ZH["proc_planning"], ZH["proc_eia"], ZH["proc_energy"],
      ZH["proc_construction_permit"])),
    ("效益情况", ("land_area_mu", "annual_tax", "annual_profit_tax"),
     (ZH["land_area_mu"], ZH["annual_tax"], ZH["annual_profit_tax"])),
)
# The sample puts 报送月份 last and everything else in canonical order.
LEDGER_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMN_NAMES if c != "snapshot_month") + ("snapshot_month",)
SUM_COLUMNS = GROUPS[0][1]

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _default_title(frame: pl.DataFrame) -> str:
    counties = frame.get_column("county").unique().to_list() if frame.height else []
    return counties[0] if len(counties) == 1 else CITY


def _cell_value(kind: str, value):
    if value is None:
        return None
    if kind == "bool":
        return yes_no(value)
    if isinstance(value, float):
        return round(value, 2)
    return value


def write_sample_ledger(frame: pl.DataFrame, path: Path, *, county_title: str | None = None) -> Path:
    """Write frame as 'XX县YYYY年M月重点项目建设进展情况表' with merged two-level headers, 序号 and a 合计 row."""
    path = Path(path)
    title_name = county_title or _default_title(frame)
    month = frame.get_column("snapshot_month")[0] if frame.height else dt.date.today().replace(day=1)
    report_day = (month.replace(day=28) + dt.timedelta(days=8)).replace(day=5)  # 5th of the following month
    office = "发展和改革委员会" if title_name.endswith("市") else "发展和改革局"

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ncols = 1 + len(LEDGER_COLUMNS)
    last = get_column_letter(ncols)

    title_row(ws, f"{title_name}{month.year}年{month.month}月重点项目建设进展情况表", last, size=16, height=30,
              font="宋体")
    ws["A2"] = (f"填报单位：{title_name}{office}\u3000\u3000\u3000\u3000单位：万元\u3000\u3000\u3000\u3000"
                f"填报日期：{report_day.year}年{report_day.month}月{report_day.day}日")

    # Header rows 3–4: grouped columns get a group title over sub-headers; the rest span both rows.
    col_of = {name: 2 + i for i, name in enumerate(LEDGER_COLUMNS)}
    grouped = {}
    for title, members, labels in GROUPS:
        first, end = col_of[members[0]], col_of[members[-1]]
        ws.cell(3, first, title)
        ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=end)
        for name, label in zip(members, labels):
            grouped[name] = label
    ws.cell(3, 1, "序号")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    for name, col in col_of.items():
        if name in grouped:
            ws.cell(4, col, grouped[name])
        else:
            ws.cell(3, col, ZH[name])
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for row in ws.iter_rows(min_row=3, max_row=4, max_col=ncols):
        for cell in row:
            head(cell, border=_BORDER)
    ws.row_dimensions[4].height = 42

    kinds = {name: COLUMN_BY_NAME[name].kind for name in LEDGER_COLUMNS}
    r = 5
    for i, rec in enumerate(frame.select(LEDGER_COLUMNS).iter_rows(named=True), start=1):
        ws.cell(r, 1, i).border = _BORDER
        for name, col in col_of.items():
            cell = ws.cell(r, col, _cell_value(kinds[name], rec[name]))
            cell.border = _BORDER
            if kinds[name] in ("date", "month"):
                cell.number_format = "yyyy-mm-dd"
            elif kinds[name] in ("money", "float"):
                cell.number_format = "0.00"
        r += 1

    # 合计 row: plain numbers, not formulas, so readers without a calculation engine see the totals.
    ws.cell(r, 1, "合计").font = Font(bold=True)
    for col in range(1, ncols + 1):
        ws.cell(r, col).border = _BORDER
    for name in SUM_COLUMNS:
        total = frame.get_column(name).sum() if frame.height else 0.0
        cell = ws.cell(r, col_of[name], round(float(total or 0.0), 2))
        cell.font = Font(bold=True)
        cell.number_format = "0.00"

    widths = {"project_id": 26, "project_name": 36, "problems": 24, "proc_approval": 14}
    ws.column_dimensions["A"].width = 6
    for name, col in col_of.items():
        kind = kinds[name]
        ws.column_dimensions[get_column_letter(col)].width = widths.get(
            name, 12 if kind in ("date", "month", "money", "float") else 10)
    ws.freeze_panes = "D5"

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_demo_ledger(month: str = "2024-06", county: str = "石门县", out_dir: Path | None = None) -> Path:
    """Write one county's demo ledger for a month, e.g. data/demo/ledgers/石门县_2024年6月_重点项目台账.xlsx."""
    from data.demo.simulate import build_snapshots
    from data.store import DEMO_DIR

    frame = build_snapshots()[month].filter(pl.col("county") == county)
    y, m = (int(x) for x in month.split("-"))
    target = Path(out_dir) if out_dir is not None else DEMO_DIR / "ledgers"
    return write_sample_ledger(frame, target / f"{county}_{y}年{m}月_重点项目台账.xlsx", county_title=county)


if __name__ == "__main__":
    print(write_demo_ledger())
