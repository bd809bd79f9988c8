"""县区对比's choice of counties and their rows, one rule for the desk page (pages/comparison.py) and the screen board
(ui/screen/comparison.py): the URL key, the limit of four, the default (the month's 红旗 and 蜗牛), each county's
indicators this month and the month before, and the desk's frames (trends, scores, the figures table)."""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from data.months import to_month
from metrics.filters import Filters
from metrics.format import format_value
from metrics.ranking import RED, SNAIL, Scorecard, indicator_of
from metrics.registry import BY_ID
from ui import cached
from ui.i18n import ind_name, t
from ui.state import split_names
from ui.widgets import with_previous

URL_KEY = "vs"  # ?vs=高新区&vs=石门县, or ?vs=高新区,石门县 typed by hand: a link chosen on the desk opens the same board
MAX_COUNTIES = 4


def flagged(rank: pl.DataFrame) -> list[str]:
    """The month's 红旗 and 蜗牛 (the counties compared when nobody chose), once each."""
    return list(dict.fromkeys([c for c in rank.filter(pl.col("flag") == RED)["county"].to_list()[:1]]
                              + [c for c in rank.filter(pl.col("flag") == SNAIL)["county"].to_list()[-1:]]))


def asked(values: Sequence[str]) -> list[str]:
    """The names a link's vs= values give (repeated keys or one value split at , ， 、 ; ；), in order, once each."""
    return list(dict.fromkeys(c for v in values for c in split_names(v)))


def compared(rank: pl.DataFrame, known: Sequence[str], vs: Sequence[str] = (), focus: Sequence[str] = ()
             ) -> tuple[list[str], bool, list[str]]:
    """The counties the screen shows (focus first, then `vs` or the 红旗 and 蜗牛, filled from the top of the ranking
    to two), whether `vs` chose them, and the names in `vs` that are no county."""
    names = asked(vs)
    unknown = [c for c in names if c not in known]
    chosen = [c for c in names if c in known]
    out = list(dict.fromkeys([c for c in focus if c in known] + (chosen or flagged(rank))))[:MAX_COUNTIES]
    for c in rank["county"].to_list() + list(known):  # a set short of two: the top of the ranking, then any county
        if len(out) >= 2:
            break
        if c not in out:
            out.append(c)
    return out, bool(chosen), unknown


def county_rows(month: str, filters: Filters, ids: Sequence[str], picked: Sequence[str]) -> tuple[dict, dict]:
    """Each picked county's indicators (a record by county) for `month` and for the month before (when stored)."""
    m = to_month(month)
    by = cached.compute(with_previous(month), filters, "county", list(ids)).filter(pl.col("county").is_in(picked))
    now = {r["county"]: r for r in by.filter(pl.col("snapshot_month") == m).iter_rows(named=True)}
    before = {r["county"]: r for r in by.filter(pl.col("snapshot_month") != m).iter_rows(named=True)}
    return now, before


def trend_frame(series: pl.DataFrame, iid: str) -> pl.DataFrame:
    """One indicator's monthly values by county (`series`: indicators by county and month) with its target, in the
    columns the small multiples draw."""
    ind = BY_ID[iid]
    d = series.select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"), pl.col("county").alias("县区"),
                      pl.col(iid).alias("值"), pl.col(f"n__{iid}").alias("n"),
                      pl.col("snapshot_month").dt.year().alias("年"), pl.col("snapshot_month").dt.month().alias("_m"))
    target = [ind.target_for(x) for x in d["_m"].to_list()]
    return d.with_columns(pl.Series("目标", target, dtype=pl.Float64)).drop("_m")


def scores_frame(picked: Sequence[str], flags: dict[str, dict], card: Scorecard) -> pl.DataFrame:
    """The scorecard's scaled scores (0–100 among all counties this month) of the picked counties, for the parallel
    coordinates."""
    return pl.DataFrame([{"县区": c, "指标": ind_name(i.id), "得分": flags[c][f"scaled__{i.id}"],
                          "值": format_value(indicator_of(i.id), flags[c][i.id]), "权重": i.weight}
                         for c in picked if c in flags for i in card.items])


def figures_table(ids: Sequence[str], picked: Sequence[str], now: dict[str, dict]) -> pl.DataFrame:
    """Each indicator's value per picked county, formatted, with n beside it."""
    rows = []
    for iid in ids:
        ind = BY_ID[iid]
        row = {t("indicator"): ind_name(iid)}
        for c in picked:
            row[c] = format_value(ind, now.get(c, {}).get(iid))
            row[f"{c} n"] = now.get(c, {}).get(f"n__{iid}")
        rows.append(row)
    return pl.DataFrame(rows, strict=False)
