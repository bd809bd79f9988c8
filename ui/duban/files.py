"""督办's downloads: the 督办单 (Word, one page per item) of the items chosen, and a month's 交办清单 (Excel); both
made by reports/duban_docs.py from the rows the desk shows."""
from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data.duban import OPEN_STATES
from data.months import month_key
from data.text import DOCX_MIME, XLSX_MIME
from reports import duban_docs
from ui.i18n import t


def files_panel(all_rows: pl.DataFrame, shown: pl.DataFrame, as_of: dt.date) -> None:
    """Two downloads side by side: the orders of the items picked (default: the open ones shown), the month's list."""
    if all_rows.is_empty():
        return
    left, right = st.columns(2)
    ids = all_rows["id"].to_list()
    default = shown.filter(pl.col("status").is_in(list(OPEN_STATES)))["id"].to_list() if not shown.is_empty() else []
    picked = left.multiselect(t("db_order_pick"), ids, default=default, key="db_order_ids")
    chosen = [r for r in all_rows.iter_rows(named=True) if r["id"] in set(picked)]
    left.download_button(t("db_order"), lambda: duban_docs.order_docx(chosen), f"督办单_{as_of:%Y%m%d}.docx", DOCX_MIME,
                         disabled=not chosen, key="db_order_dl", icon=":material/description:")
    months = sorted({month_key(d) for d in all_rows["assigned_on"]} | {month_key(as_of)}, reverse=True)
    month = right.selectbox(t("db_list_month"), months, key="db_list_month")
    right.download_button(t("db_list"), lambda: duban_docs.month_list_xlsx(all_rows, month, as_of),
                          f"交办清单_{month}.xlsx", XLSX_MIME, key="db_list_dl", icon=":material/table_view:")
