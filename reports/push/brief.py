"""The month's brief: its sections collected from metrics/, laid out as one portrait Vega-Lite spec 1080 px wide,
rendered to PNG and PDF, and summed up in a few lines of markdown for the chat message."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt

from data.months import MonthError, month_key, to_month
from data.city import city_name
from data.files import atomic_write_bytes
from data.store import Store, StoreError, active_store
from metrics.dataset import Dataset
from metrics.ranking import Scorecard, load_scorecard
from reports.push import render
from reports.push.canvas import FONT, HEAD, INNER, LINE, MARGIN, MUTED, Canvas, fit_size
from reports.push.sections import SECTIONS, Context, Section
from reports.push.words import month_title, numbered, say

BRIEFS_DIR = "briefs"  # under the store: every brief written, so a failed push never loses one


def open_context(root: str | Path | None, month: str | None = None, lang: str = "zh", *, city: str | None = None,
                 card: Scorecard | None = None, as_of: dt.date | None = None) -> Context:
    """The shown store under `root` (the demo city while it is empty, as the app shows) at `month` (default: the
    latest stored month), 督办 as of `as_of` (default today); StoreError in Chinese when there is nothing to brief."""
    store, is_demo = active_store(root)
    ds = Dataset.from_store(store)
    if not ds.months:
        raise StoreError(f"库 {store.root} 中没有任何月份的数据：先用 python -m data import 导入台账。")
    try:
        m = to_month(month) if month else ds.months[-1]
    except MonthError as e:
        raise StoreError(str(e)) from None
    if not ds.has(m):
        raise StoreError(f"库中没有 {month_key(m)} 的数据。已有月份：{month_key(ds.months[0])} 至 {month_key(ds.months[-1])}。")
    return Context(store, ds, m, "en" if lang == "en" else "zh", city_name(city), card or load_scorecard(), is_demo,
                   as_of or dt.date.today())


@dataclass
class Brief:
    """One month's brief: its sections' figures and the spec they are drawn with."""

    ctx: Context
    parts: list[tuple[Section, Any]]
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def title(self) -> str:
        return say("title_month", self.ctx.lang, title=say("title", self.ctx.lang, city=self.ctx.city),
                   month=month_title(self.ctx.month, self.ctx.lang))

    @property
    def pdf_label(self) -> str:
        return say("pdf", self.ctx.lang)

    def spec(self, link: str = "") -> dict:
        """The whole picture as one Vega-Lite spec: title band, each section under its numbered heading, footer."""
        ctx = self.ctx
        charts: list[alt.TopLevelMixin] = [self._band()]
        for k, (section, content) in enumerate(self.parts, 1):
            head = Canvas()
            head.rect(MARGIN, 34, 10, 46, HEAD)
            head.text(MARGIN + 28, 58, numbered(k, section.title[ctx.lang == "en"], ctx.lang), size=40, bold=True)
            head.pad(104)
            charts += [head.chart(), *section.draw(content, ctx)]
        charts.append(self._footer(link))
        top = alt.vconcat(*charts, spacing=0).configure(background="#ffffff", padding=0, font=FONT).configure_view(
            stroke=None)
        return top.to_dict(validate=False)

    def _band(self) -> alt.LayerChart:
        ctx, c = self.ctx, Canvas()
        c.rect(0, 0, c.width, 214, HEAD)
        title = say("title", ctx.lang, city=ctx.city)
        c.text(MARGIN, 64, title, size=fit_size(title, INNER, (50, 44, 38)), bold=True, color="#ffffff", limit=INNER)
        c.text(MARGIN, 130, month_title(ctx.month, ctx.lang), size=38, bold=True, color="#ffffff")
        made = say("made", ctx.lang, at=f"{self.made_at:%Y-%m-%d %H:%M}")
        c.text(MARGIN, 180, made, size=24, color="#c9d4ea", limit=INNER)
        if ctx.is_demo:
            c.rect(c.width - MARGIN - 260, 108, 260, 44, "#ffb300", radius=8)
            c.text(c.width - MARGIN - 130, 130, say("demo", ctx.lang), size=24, bold=True, color=HEAD, align="center")
        return c.chart()

    def _footer(self, link: str) -> alt.LayerChart:
        c = Canvas()
        c.rect(MARGIN, 40, INNER, 2, LINE)
        y = 84
        if link:
            y = c.lines(MARGIN, y, say("open_at", self.ctx.lang, link=link), size=24, color=MUTED)
        y = c.lines(MARGIN, y, say("footer", self.ctx.lang), size=24, color=MUTED)
        c.pad(y + 16)
        return c.chart()

    def summary(self, link: str = "") -> list[str]:
        """The chat message's lines (markdown): the title, each section's lines, the dashboard link."""
        lines = [f"### {self.title}"]
        for section, content in self.parts:
            lines += section.summary(content, self.ctx)
        if link:
            lines.append(f"[{say('open', self.ctx.lang)}]({link})")
        return lines


def collect(ctx: Context) -> Brief:
    """Every declared section's figures; a section with nothing to show (None) is left out."""
    parts = [(s, content) for s in SECTIONS if (content := s.collect(ctx)) is not None]
    return Brief(ctx, parts)


def dashboard_link(base: str, ctx: Context) -> str:
    """The dashboard's 总览 at the brief's month (and language), or '' without a base URL."""
    if not base:
        return ""
    query = f"month={month_key(ctx.month)}" + ("&lang=en" if ctx.lang == "en" else "")
    return f"{base.rstrip('/')}/?{query}"


@dataclass(frozen=True)
class Picture:
    """A brief drawn: the spec, its SVG, the PNG and the PDF."""

    spec: dict
    svg: str
    png: bytes
    pdf: bytes


def draw(brief: Brief, link: str = "") -> Picture:
    """The brief as PNG (1080 px wide) and PDF, from one spec."""
    spec = brief.spec(link)
    drawing = render.svg(spec)
    return Picture(spec, drawing, render.png(drawing), render.pdf(drawing))


def store_path(store: Store, ctx: Context) -> Path:
    """Where the store keeps a month's brief: <store>/briefs/2025-06.png (2025-06.en.png in English)."""
    return Path(store.root) / BRIEFS_DIR / (month_key(ctx.month) + (".en" if ctx.lang == "en" else "") + ".png")


def write(picture: Picture, path: Path) -> tuple[Path, Path]:
    """Write the PNG to `path` and the PDF beside it, each atomically; readable by the web server that serves
    <store>/briefs/ to the chat apps (README, Deployment)."""
    path = Path(path)
    png_path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
    pdf_path = png_path.with_suffix(".pdf")
    for p, data in ((png_path, picture.png), (pdf_path, picture.pdf)):
        atomic_write_bytes(p, data)
        p.chmod(0o644)  # a picture for the group, not a secret: nginx (another user) serves it to DingTalk
    return png_path, pdf_path
