"""月通报: the monthly bulletin as a Word document (and its tables as a workbook), built only from metrics/.

The bulletin follows the usual form of a government 通报: a red head (发文机关 and 文号 over a red rule), the
title "示范市重点项目建设情况通报（2025年6月）", 主送, the data month, a summary in sentences, the county ranking
(红旗/蜗牛), the 约谈预警 counties with the reasons in words, the gap to the annual plan, each dimension's key
figures by county, and the watch lists as annexes (附件1…). Body text is 仿宋, headings 黑体, the title
方正小标宋简体 (the font table names 黑体 as its fallback), and the footer carries the page number.

Every figure comes from metrics.engine / ranking / watchlists and is formatted with metrics.format, so the
bulletin, the workbook, the pages and the CLI agree to the digit.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from metrics.engine import Dataset, Filters, add_months, as_record, compute, to_month
from metrics.export import to_xlsx_bytes
from metrics.format import DASH, fmt_money, fmt_points, fmt_rate, format_value
from metrics.ranking import RED, SNAIL, Scorecard, load_scorecard, ranking
from metrics.registry import BY_ID, DIMENSIONS
from metrics.watchlists import GAP_ZH, WATCH_LISTS, column_labels, gap_to_target, watch_list

CITY_ENV = "KPM_CITY"
DEFAULT_CITY = "示范市"

# Each dimension's key figures in the bulletin (columns of its by-county table), in reading order.
KEY_FIGURES: dict[str, tuple[str, ...]] = {
    "progress": ("project_count", "completed_ytd_sum", "monthly_investment", "investment_completion_rate",
                 "schedule_deviation", "start_rate", "resume_rate", "lagging_projects"),
    "structure": ("total_investment_sum", "private_share", "industrial_share", "government_share"),
    "industry": ("emerging_share", "traditional_share"),
    "chain": ("chain_investment_share", "chain_coverage"),
    "efficiency": ("profit_tax_rate", "tax_per_mu", "production_rate"),
    "management": ("procedures_complete_rate", "leader_coverage", "problem_projects", "approval_to_start_days",
                   "stats_inclusion_rate"),
    "pipeline": ("pipeline_investment", "reserve_conversion_rate", "signed_projects", "signed_start_rate"),
}
# Watch-list columns printed in the annex (the workbook carries every column of the list).
ANNEX_BASE = ("project_id", "project_name", "county", "build_type", "status", "total_investment",
              "plan_investment_year", "completed_investment_ytd")
CN_NUM = "一二三四五六七八九十"


def city_name(city: str | None = None) -> str:
    """The city named in titles: the argument, $KPM_CITY, or 示范市."""
    return city or os.environ.get(CITY_ENV) or DEFAULT_CITY


def month_zh(month: dt.date | str) -> str:
    m = to_month(month)
    return f"{m.year}年{m.month}月"


def rank_change_text(v) -> str:
    """+2 → '↑2', -1 → '↓1', 0 → '→0', None → '—' (the same arrows on the pages)."""
    if v is None:
        return DASH
    return f"↑{v}" if v > 0 else f"↓{-v}" if v < 0 else "→0"


def _num(v, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return DASH
    return f"{v:,.{digits}f}"


def _cell(v) -> str:
    """A watch-list cell as printed: dates ISO, money with thousands separators, nothing for null."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2f}"
    return str(v)


@dataclass
class Table:
    """One bulletin table: a sheet in the workbook (raw values) and a table in the document (text)."""

    name: str  # sheet name and reference
    title: str  # heading in the document
    frame: pl.DataFrame  # raw values, Chinese headers (workbook)
    text: list[list[str]] = field(default_factory=list)  # formatted rows for the document (header first)
    note: str = ""
    prose: bool = False  # the document states it in sentences rather than as a table


@dataclass
class Bulletin:
    """Everything the bulletin says for one month and selection, computed once."""

    city: str
    month: dt.date
    filters: Filters
    card: Scorecard
    summary: dict
    rank: pl.DataFrame
    warnings: list[dict]
    tables: dict[str, Table]
    dimension_tables: list[str]
    annexes: list[str]
    scope: str

    @property
    def red(self) -> list[str]:
        return self.rank.filter(pl.col("flag") == RED).get_column("county").to_list()

    @property
    def snail(self) -> list[str]:
        return self.rank.filter(pl.col("flag") == SNAIL).get_column("county").to_list()


def _describe(filters: Filters) -> str:
    names = {"county": "县区", "chain": "产业链", "tier": "规模档次", "level": "项目级别"}
    return "；".join(f"{names[k]}：{'、'.join(v)}" for k, v in filters.as_dict().items() if v)


def _county_order(rank: pl.DataFrame, counties: list[str]) -> list[str]:
    """Counties in ranking order, then any county the ranking does not hold, by name."""
    ranked = [c for c in rank.get_column("county").to_list() if c in counties]
    return ranked + sorted(c for c in counties if c not in ranked and c is not None)


def collect(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None, *,
            city: str | None = None) -> Bulletin:
    """Compute every figure and table of the bulletin (shared by the document and the workbook)."""
    card = card or load_scorecard()
    m = to_month(month)
    if not ds.has(m):
        raise ValueError(f"库中没有 {m:%Y-%m} 的快照。")
    rec = as_record(compute(ds, [m], filters))
    rank = ranking(ds, m, filters, card)
    tables: dict[str, Table] = {}

    # 县区排名
    rank_raw = rank.select(
        pl.col("rank").alias("名次"), pl.col("county").alias("县区"), pl.col("score").round(2).alias("得分"),
        pl.col("rank_change").alias("名次变化"), pl.col("flag").fill_null("").alias("红旗/蜗牛"),
        pl.when(pl.col("warning")).then(pl.lit("约谈预警")).otherwise(pl.lit("")).alias("约谈预警"),
        *[pl.col(i.id).alias(BY_ID[i.id].zh) for i in card.items],
        pl.col("explanation").alias("说明"))
    head = ["名次", "县区", "得分", "名次变化", "红旗/蜗牛", "约谈预警"]
    rows = [[str(r["rank"]), r["county"], f"{r['score']:.1f}", rank_change_text(r["rank_change"]), r["flag"] or "",
             "约谈预警" if r["warning"] else ""] for r in rank.iter_rows(named=True)]
    tables["县区排名"] = Table("县区排名", "县区综合排名", rank_raw, [head] + rows)

    # 约谈预警
    warned = [r for r in rank.iter_rows(named=True) if r["warning"]]
    warnings = [{"county": r["county"], "rank": r["rank"], "flag": r["flag"], "explanation": r["explanation"]}
                for r in warned]
    warn_raw = pl.DataFrame({"县区": [w["county"] for w in warnings], "名次": [w["rank"] for w in warnings],
                             "说明": [w["explanation"] for w in warnings]},
                            schema={"县区": pl.String, "名次": pl.Int64, "说明": pl.String})
    tables["约谈预警"] = Table("约谈预警", "约谈预警县区", warn_raw,
                           [["县区", "名次", "说明"]] + [[w["county"], str(w["rank"]), w["explanation"]]
                                                        for w in warnings], prose=True)

    # 距年度目标
    gap = gap_to_target(ds, m, filters)
    order = _county_order(rank, gap.get_column("county").to_list())
    gap = gap.with_columns(pl.col("county").replace_strict({c: i for i, c in enumerate(order)}, default=len(order))
                           .alias("_o")).sort("_o").drop("_o")
    gap_cols = ["county", "plan_investment_sum", "completed_ytd_sum", "investment_completion_rate", "shortfall",
                "monthly_needed", "next_month_needed"]
    gap_text = [[GAP_ZH[c] for c in gap_cols]]
    for r in gap.iter_rows(named=True):
        gap_text.append([r["county"], _num(r["plan_investment_sum"]), _num(r["completed_ytd_sum"]),
                         fmt_rate(r["investment_completion_rate"]), _num(r["shortfall"]), _num(r["monthly_needed"]),
                         _num(r["next_month_needed"])])
    tables["距年度目标"] = Table("距年度目标", "距年度计划", gap.rename(GAP_ZH), gap_text)

    # 分项指标 by county
    dimension_tables = []
    all_label = "全市" if filters.is_empty() else "合计"
    for dim, ids in KEY_FIGURES.items():
        by = compute(ds, [m], filters, "county", list(ids)).filter(pl.col("county").is_not_null())
        order = _county_order(rank, by.get_column("county").to_list())
        by_rows = {r["county"]: r for r in by.iter_rows(named=True)}
        name = DIMENSIONS[dim]
        head = ["县区"] + [figure_header(i) for i in ids]
        text = [head]
        raw = {"县区": []} | {figure_header(i): [] for i in ids}
        for county, r in [(c, by_rows[c]) for c in order] + [(all_label, rec)]:
            text.append([county] + [figure_text(i, r.get(i)) for i in ids])
            raw["县区"].append(county)
            for i in ids:
                raw[figure_header(i)].append(r.get(i))
        tables[name] = Table(name, name, pl.DataFrame(raw, strict=False), text)
        dimension_tables.append(name)

    # 附件: watch lists
    annexes = []
    for k, w in enumerate(WATCH_LISTS, 1):
        df = watch_list(ds, m, w.id, filters)
        cols = list(dict.fromkeys(ANNEX_BASE + tuple(c for c in w.columns if c not in ("leader",)) + ("leader",)))
        cols = [c for c in cols if c in df.columns]
        labels = column_labels(df.columns)
        heads = {**labels, "deviation": f"{labels['deviation']}(百分点)"} if "deviation" in labels else labels
        text = [["序号"] + [heads[c] for c in cols]]
        for n, r in enumerate(df.iter_rows(named=True), 1):
            text.append([str(n)] + [_list_cell(c, r[c]) for c in cols])
        name = f"附件{k} {w.zh}"
        tables[name] = Table(name, f"附件{k}", df.rename(labels), text, note=w.caliber)
        annexes.append(name)

    scope = "全市" if filters.is_empty() else f"所选范围（{_describe(filters)}）"
    return Bulletin(city_name(city), m, filters, card, rec, rank, warnings, tables, dimension_tables, annexes, scope)


def figure_header(iid: str) -> str:
    """A key-figure column header with the unit in it (cells then carry bare numbers, as tables in a 通报 do)."""
    ind = BY_ID[iid]
    unit = {"比率": "%", "万元": "亿元"}.get(ind.unit, ind.unit)
    return f"{ind.zh}({unit})"


def figure_text(iid: str, v) -> str:
    """A key figure as printed in the bulletin's tables, in the unit its header names (— when undefined)."""
    ind = BY_ID[iid]
    if v is None or (isinstance(v, float) and v != v):
        return DASH
    if ind.unit == "比率":
        return f"{v * 100:.1f}"
    if ind.unit == "百分点":
        return f"{v * 100:+.1f}"
    if ind.unit == "万元":
        return f"{v / 10_000:,.2f}"
    if ind.unit == "个":
        return f"{int(v):,}"
    if ind.unit == "天":
        return f"{v:,.0f}"
    return f"{v:,.2f}"


def _list_cell(col: str, v) -> str:
    if v is None:
        return ""
    if col in ("completion_rate", "time_schedule"):
        return fmt_rate(v)
    if col == "deviation":
        return f"{v * 100:+.1f}"
    if isinstance(v, float):
        return f"{v:,.0f}"
    return _cell(v)


# ---------------------------------------------------------------- the words


def _vs_schedule(dev) -> str:
    if dev is None:
        return "无年度计划投资，无法与时序进度比较"
    if abs(dev) < 0.0005:
        return "与时序进度持平"
    return f"{'低于' if dev < 0 else '高于'}时序进度{fmt_points(dev, signed=False)}"


def _vs_target(iid: str, v, month: int) -> str:
    ind = BY_ID[iid]
    t = ind.target_for(month)
    if v is None or t is None:
        return ""
    ok = v >= t if ind.direction == "higher" else v <= t
    gap = fmt_points(v - t, signed=False)
    if ok:
        return f"（目标{format_value(ind, t)}，已达标）"
    return f"（目标{format_value(ind, t)}，差{gap}）"


def summary_sentences(b: Bulletin) -> list[str]:
    """The headline figures in sentences (每个数字取自 metrics)."""
    r, m = b.summary, b.month.month
    s1 = (f"{b.scope}共有重点项目{r['project_count']}个，总投资{fmt_money(r['total_investment_sum'], '亿元')}。"
          f"建设项目（新开工、续建）年度计划投资{fmt_money(r['plan_investment_sum'], '亿元')}，"
          f"本年完成投资{fmt_money(r['completed_ytd_sum'], '亿元')}，投资完成率{fmt_rate(r['investment_completion_rate'])}，"
          f"{_vs_schedule(r['schedule_deviation'])}（时序进度{fmt_rate(r['time_schedule'])}）。")
    mom = r["monthly_investment_mom"]
    if mom is None:
        mom_txt = "（上月无可比数据）"
    elif abs(mom) < 0.0005:  # would print as 增长/下降0.0%
        mom_txt = "，环比持平"
    else:
        mom_txt = f"，环比{'增长' if mom >= 0 else '下降'}{fmt_rate(abs(mom))}"
    s2 = f"当月完成投资{fmt_money(r['monthly_investment'], '亿元')}{mom_txt}；亿元以上项目当月新开工{r['new_starts_100m']}个。"
    s3 = (f"新开工项目开工率{fmt_rate(r['start_rate'])}{_vs_target('start_rate', r['start_rate'], m)}，"
          f"续建项目复工率{fmt_rate(r['resume_rate'])}{_vs_target('resume_rate', r['resume_rate'], m)}。")
    s4 = (f"民间投资占比{fmt_rate(r['private_share'])}{_vs_target('private_share', r['private_share'], m)}，"
          f"产业投资占比{fmt_rate(r['industrial_share'])}{_vs_target('industrial_share', r['industrial_share'], m)}，"
          f"新兴产业占比{fmt_rate(r['emerging_share'])}。")
    s5 = (f"滞后项目{r['lagging_projects']}个，停工项目{r['stopped_projects']}个，僵尸项目{r['zombie_projects']}个，"
          f"存在问题项目{r['problem_projects']}个；招商签约项目{r['signed_projects']}个，"
          f"签约项目开工率{fmt_rate(r['signed_start_rate'])}{_vs_target('signed_start_rate', r['signed_start_rate'], m)}。")
    return [s1, s2, s3, s4, s5]


def ranking_sentence(b: Bulletin) -> str:
    card = b.card
    items = "、".join(f"{BY_ID[i.id].zh}{i.weight:g}分" for i in card.items)
    parts = [f"按评分表（{items}）对各县区综合评分排名。"]
    if b.red:
        parts.append(f"综合排名第一、获评“红旗”的是{'、'.join(b.red)}；")
    if b.snail:
        parts.append(f"排名末位、列为“蜗牛”的是{'、'.join(b.snail)}。")
    return "".join(parts)


# ---------------------------------------------------------------- Word


def _docx():
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    return dict(Document=Document, WD_ORIENT=WD_ORIENT,
                WD_ALIGN_PARAGRAPH=WD_ALIGN_PARAGRAPH, OxmlElement=OxmlElement, qn=qn, Cm=Cm, Pt=Pt,
                RGBColor=RGBColor)


BODY_FONT, HEAD_FONT, TITLE_FONT, KAI_FONT = "仿宋", "黑体", "方正小标宋简体", "楷体"
# Fallbacks written into the font table: Word uses altName when the named font is not installed.
FONT_FALLBACKS = {"方正小标宋简体": "黑体", "仿宋": "FangSong", "黑体": "SimHei", "楷体": "KaiTi"}


def _set_font(run_or_style, east: str, size: float | None = None, bold: bool | None = None, color=None,
              west: str = "Times New Roman") -> None:
    d = _docx()
    font = run_or_style.font
    font.name = west
    if size is not None:
        font.size = d["Pt"](size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = d["RGBColor"].from_string(color)
    el = run_or_style.element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(d["qn"]("w:rFonts"))
    if rfonts is None:
        rfonts = d["OxmlElement"]("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(d["qn"](attr), west)
    rfonts.set(d["qn"]("w:eastAsia"), east)
    rfonts.set(d["qn"]("w:hint"), "eastAsia")


def _font_table_fallbacks(doc) -> None:
    """Declare the Chinese fonts in word/fontTable.xml with an altName fallback each."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        xml = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            for name, alt in FONT_FALLBACKS.items() if f'w:name="{name}"' not in xml)
        part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = 16, bold: bool = False, color=None,
          align=None, indent: bool = False, space_after: float = 0, line: float | None = 28):
    d = _docx()
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    pf = p.paragraph_format
    pf.space_after = d["Pt"](space_after)
    pf.space_before = d["Pt"](0)
    if line:
        pf.line_spacing = d["Pt"](line)
    if indent:
        pf.first_line_indent = d["Pt"](size * 2)
    if text:
        _set_font(p.add_run(text), font, size, bold, color)
    return p


def _red_rule(p) -> None:
    d = _docx()
    ppr = p._p.get_or_add_pPr()
    bdr = d["OxmlElement"]("w:pBdr")
    bottom = d["OxmlElement"]("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "FF0000")):
        bottom.set(d["qn"](k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _page_number_footer(section) -> None:
    """'— N —' centred in the footer, N a PAGE field."""
    d = _docx()
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = d["WD_ALIGN_PARAGRAPH"].CENTER
    _set_font(p.add_run("— "), BODY_FONT, 14)
    run = p.add_run()
    _set_font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = d["OxmlElement"]("w:instrText")
            el.set(d["qn"]("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = d["OxmlElement"]("w:t")
            el.text = text
        else:
            el = d["OxmlElement"]("w:fldChar")
            el.set(d["qn"]("w:fldCharType"), kind)
        run._r.append(el)
    _set_font(p.add_run(" —"), BODY_FONT, 14)


NUMBER = re.compile(r"^([+-]?[\d,]+(\.\d+)?%?|[↑↓→]\d+|—)$")  # right-aligned cells (not project ids, not dates)
WIDTH_WEIGHTS = {"序号": 1.1, "名次": 1.1, "项目编码": 3.0, "项目名称": 4.2, "存在问题": 3.6, "未办结手续": 3.4, "说明": 9.0,
                 "县区": 1.7, "红旗/蜗牛": 1.6, "约谈预警": 1.6, "名次变化": 1.5, "得分": 1.3}


def _widths(header: list[str], total_cm: float) -> list[float]:
    w = [WIDTH_WEIGHTS.get(h, 1.6) for h in header]
    return [x * total_cm / sum(w) for x in w]


def _cell_style(doc, size: float, head: bool):
    """A paragraph style for table cells (fonts set once on the style, not on every run: 700-row annexes)."""
    from docx.enum.style import WD_STYLE_TYPE

    d = _docx()
    name = f"KPM表格{'表头' if head else '正文'}{size:g}"
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        _set_font(style, HEAD_FONT if head else BODY_FONT, size, head)
        pf = style.paragraph_format
        pf.space_after = pf.space_before = d["Pt"](0)
        pf.line_spacing = 1.0
        pf.first_line_indent = d["Pt"](0)
        return style


def _table(doc, rows: list[list[str]], *, size: float = 10.5, highlight: dict[int, str] | None = None,
           total_cm: float = 15.6):
    """A gridded table, bold shaded header repeated on every page; numbers right-aligned; columns sized by content.

    Written as one block of WordprocessingML and parsed once: the watch-list annexes run to thousands of cells,
    which python-docx's cell-by-cell API builds a hundred times slower."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = _docx()
    head_id, body_id = _cell_style(doc, size, True).style_id, _cell_style(doc, size, False).style_id
    grid_id = doc.styles["Table Grid"].style_id
    widths = [round(cm * 567) for cm in _widths(rows[0], total_cm)]  # twentieths of a point
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{grid_id}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
           '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" '
           'w:noVBand="1"/></w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]
    for i, values in enumerate(rows):
        color = (highlight or {}).get(i)
        out.append("<w:tr>" + ('<w:trPr><w:tblHeader/></w:trPr>' if i == 0 else ""))
        for j, v in enumerate(values):
            jc = "center" if i == 0 or j == 0 else "right" if NUMBER.match(v) else None
            shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>' if i == 0 else ""
            rpr = f'<w:rPr><w:color w:val="{color}"/></w:rPr>' if color and j in (1, 4, 5) else ""
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[j]}" w:type="dxa"/>{shade}</w:tcPr>'
                       f'<w:p><w:pPr><w:pStyle w:val="{head_id if i == 0 else body_id}"/>'
                       + (f'<w:jc w:val="{jc}"/>' if jc else "") + "</w:pPr>"
                       + (f'<w:r>{rpr}<w:t xml:space="preserve">{escape(v)}</w:t></w:r>' if v else "")
                       + "</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    body = doc.element.body
    sect = body.find(d["qn"]("w:sectPr"))
    if sect is not None:
        sect.addprevious(tbl)
    else:
        body.append(tbl)
    return tbl


def _heading(doc, text: str, level: int = 1):
    return _para(doc, text, font=HEAD_FONT if level == 1 else KAI_FONT, size=16, bold=level == 2, indent=True)


def build_bulletin(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
                   *, city: str | None = None, issuer: str | None = None, issued: dt.date | None = None,
                   bulletin: Bulletin | None = None) -> bytes:
    """The monthly bulletin (.docx bytes) for a month and selection."""
    d = _docx()
    b = bulletin or collect(ds, month, filters, card, city=city)
    issuer = issuer or f"{b.city}重点项目建设工作领导小组办公室"
    issued = issued or dt.date.today()
    center = d["WD_ALIGN_PARAGRAPH"].CENTER
    doc = d["Document"]()
    _font_table_fallbacks(doc)
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    normal.element.get_or_add_rPr()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = d["Cm"](21), d["Cm"](29.7)
    sec.top_margin, sec.bottom_margin = d["Cm"](3.7), d["Cm"](3.5)
    sec.left_margin, sec.right_margin = d["Cm"](2.8), d["Cm"](2.6)
    _page_number_footer(sec)
    doc.core_properties.title = f"{b.city}重点项目建设情况通报（{month_zh(b.month)}）"
    doc.core_properties.author = issuer

    # 红头: 发文机关, 文号, red rule
    head_size = min(26, int(380 / max(len(issuer), 1)))  # one line across the type area
    _para(doc, issuer, font=TITLE_FONT, size=head_size, bold=True, color="FF0000", align=center, line=None,
          space_after=12)
    no = _para(doc, f"{b.city}重点办〔{b.month.year}〕{b.month.month}号", size=16, align=center, space_after=2)
    _red_rule(no)
    _para(doc, "", line=None)
    _para(doc, f"{b.city}重点项目建设情况通报（{month_zh(b.month)}）", font=TITLE_FONT, size=22, bold=True,
          align=center, line=None, space_after=12)
    _para(doc, "各县（区）人民政府，市直有关部门：")
    month_end = add_months(b.month, 1) - dt.timedelta(days=1)
    scope = "" if b.filters.is_empty() else f"，统计范围：{_describe(b.filters)}"
    _para(doc, f"现将{month_zh(b.month)}全市重点项目建设情况通报如下（数据月份：{month_zh(b.month)}，"
               f"数据截至{month_end.year}年{month_end.month}月{month_end.day}日，来源为各县区报送的重点项目台账{scope}）。",
          indent=True)

    n = 0

    def section(title: str) -> None:
        nonlocal n
        _heading(doc, f"{CN_NUM[n]}、{title}")
        n += 1

    section("总体情况")
    _para(doc, "".join(summary_sentences(b)), indent=True)

    section("县区综合排名")
    _para(doc, ranking_sentence(b), indent=True)
    t = b.tables["县区排名"]
    colors = {i: ("C00000" if row[4] == RED else "7F6000" if row[4] == SNAIL else None)
              for i, row in enumerate(t.text)}
    _table(doc, t.text, highlight={k: v for k, v in colors.items() if v})

    section("约谈预警")
    card = b.card
    if b.warnings:
        _para(doc, f"按照连续{card.warning_months}个月排名后{card.warning_places}位予以约谈预警的规定，"
                   f"本月{'、'.join(w['county'] for w in b.warnings)}触发约谈预警，主要失分原因如下：", indent=True)
        for k, w in enumerate(b.warnings, 1):
            flag = f"，{w['flag']}" if w["flag"] else ""
            _para(doc, f"{k}．{w['county']}（第{w['rank']}名{flag}）：{w['explanation']}。", indent=True)
    else:
        _para(doc, f"本月无县区连续{card.warning_months}个月排名后{card.warning_places}位，未触发约谈预警。", indent=True)

    section("距年度计划")
    left = 12 - b.month.month
    _para(doc, f"截至{month_zh(b.month)}，各县区距年度计划投资的差额，以及此后{left}个月每月需完成的投资（万元）如下。"
          if left else "本月为年末，各县区年度计划完成情况如下（万元）。", indent=True)
    _table(doc, b.tables["距年度目标"].text, size=9)

    section("分项指标")
    for k, name in enumerate(b.dimension_tables):
        _heading(doc, f"（{CN_NUM[k]}）{name}", level=2)
        _table(doc, b.tables[name].text, size=9)

    # 附件目录 and 落款
    _para(doc, "")
    annex_lines = [f"{k}．{name.split(' ', 1)[1]}（{b.tables[name].frame.height}个）"
                   for k, name in enumerate(b.annexes, 1)]
    _para(doc, "附件：" + annex_lines[0], indent=True)
    for line in annex_lines[1:]:
        p = _para(doc, line)
        p.paragraph_format.left_indent = d["Pt"](16 * 5)
    _para(doc, "")
    right = d["WD_ALIGN_PARAGRAPH"].RIGHT
    _para(doc, issuer, align=right)
    _para(doc, f"{issued.year}年{issued.month}月{issued.day}日", align=right)

    # 附件: landscape pages
    from docx.enum.section import WD_SECTION

    land = doc.add_section(WD_SECTION.NEW_PAGE)
    land.orientation = d["WD_ORIENT"].LANDSCAPE
    land.page_width, land.page_height = d["Cm"](29.7), d["Cm"](21)
    land.top_margin = land.bottom_margin = d["Cm"](2.5)
    land.left_margin = land.right_margin = d["Cm"](2.2)
    for k, name in enumerate(b.annexes, 1):
        t = b.tables[name]
        if k > 1:
            doc.add_page_break() if t.frame.height > 25 else _para(doc, "")
        _para(doc, f"附件{k}", font=HEAD_FONT, size=16)
        _para(doc, f"{name.split(' ', 1)[1]}（{month_zh(b.month)}，{t.frame.height}个）", font=TITLE_FONT, size=18,
              align=center, line=None, space_after=6)
        _para(doc, f"口径：{t.note}", size=12, line=None, space_after=6)
        if t.frame.height:
            _table(doc, t.text, size=9, total_cm=25.3)
        else:
            _para(doc, "本月无此类项目。", size=12, line=None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_workbook(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
                   *, city: str | None = None, bulletin: Bulletin | None = None) -> bytes:
    """Every bulletin table as one sheet of an .xlsx (raw values, Chinese headers)."""
    b = bulletin or collect(ds, month, filters, card, city=city)
    return to_xlsx_bytes({name: t.frame for name, t in b.tables.items()})


def build_both(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
               *, city: str | None = None) -> tuple[bytes, bytes]:
    """(docx, xlsx) from one computation."""
    b = collect(ds, month, filters, card, city=city)
    return build_bulletin(ds, month, filters, card, bulletin=b), build_workbook(ds, month, filters, card, bulletin=b)


# ---------------------------------------------------------------- CLI


def _fail(message: str) -> None:
    """A user error, printed like the other metrics commands (Chinese, exit code 2)."""
    print(f"错误：{message}", file=sys.stderr)
    raise SystemExit(2)


def cmd_bulletin(args) -> str:
    from data.store import Store, StoreError, month_key

    path = Path(args.data)
    if not path.is_dir():
        _fail(f"数据目录不存在：{path}（应为 python -m data import 写入的库目录）")
    ds = Dataset.from_store(Store(path))
    if not ds.months:
        _fail(f"数据目录 {path} 中没有任何月份的快照。先用 python -m data import 导入台账。")
    try:
        month = to_month(args.month)
    except StoreError as e:
        _fail(str(e))
    if not ds.has(month):
        _fail(f"库中没有 {month_key(month)} 的快照。已有月份：{'、'.join(month_key(m) for m in ds.months)}")
    try:
        filters = Filters.of(args.county or (), args.chain or (), args.tier or (), args.level or ())
        card = load_scorecard(args.scorecard)
    except ValueError as e:
        _fail(str(e))
    if not str(args.out).lower().endswith(".docx"):
        _fail(f"--out 应为 .docx 文件名，而不是“{args.out}”")
    b = collect(ds, month, filters, card, city=args.city)
    out = Path(args.out)
    out.write_bytes(build_bulletin(ds, month, filters, card, bulletin=b))
    lines = [f"已写出 {out}：{b.city}重点项目建设情况通报（{month_zh(month)}），"
             f"{len(b.rank)}个县区排名，{len(b.warnings)}个约谈预警，{len(b.annexes)}个附件"]
    if args.xlsx:
        Path(args.xlsx).write_bytes(build_workbook(ds, month, filters, card, bulletin=b))
        lines.append(f"已写出 {args.xlsx}：{len(b.tables)}张表")
    return "\n".join(lines)


def add_cli(subparsers) -> None:
    """Register `python -m metrics bulletin --data DIR --month YYYY-MM --out FILE.docx [--xlsx FILE.xlsx]`."""
    p = subparsers.add_parser("bulletin", help="月通报（Word，可同时导出 Excel）")
    p.add_argument("--data", required=True, help="库目录（python -m data import 写入的目录）")
    p.add_argument("--month", required=True, help="月份 YYYY-MM")
    p.add_argument("--out", required=True, help="输出 Word 文件（.docx）")
    p.add_argument("--xlsx", help="同时输出通报各表（Excel，每表一页）")
    p.add_argument("--county", action="append", help="县区，可重复")
    p.add_argument("--chain", action="append", help="产业链，可重复")
    p.add_argument("--tier", action="append", help="规模档次，可重复")
    p.add_argument("--level", action="append", help="项目级别，可重复")
    p.add_argument("--scorecard", help="评分表 TOML（默认 metrics/scorecard.toml）")
    p.add_argument("--city", help=f"城市名称（默认 ${CITY_ENV} 或“{DEFAULT_CITY}”）")
    p.set_defaults(func=cmd_bulletin)


__all__ = ["Bulletin", "KEY_FIGURES", "add_cli", "build_both", "build_bulletin", "build_workbook", "city_name",
           "collect", "figure_header", "figure_text", "rank_change_text", "summary_sentences"]
