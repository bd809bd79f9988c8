"""The screen's runtime: screen mode from the URL, the live clock and key listener, the playlist step shown
(page switch, selection), and the timer that advances it.

Keys: space = pause/resume, → / PageDown = next, ← / PageUp = previous, Esc = leave screen mode. Everything the
presenter chose stays in the URL, so a copied link opens the same screen.
"""
from __future__ import annotations

import html
import time
from collections.abc import Sequence

import streamlit as st

from ui import cached
from ui.i18n import t
from ui.screen.layouts import header
from ui.screen.playlist import MODE, SCREEN_KEYS, Playlist, apply_command, parse_playlist
from ui.screen.theme import CLOCK_CSS, DESIGN_H, PHONE_DESIGN_W, PHONE_W, css
from ui.state import FOLLOW, MULTI, Selection, current, moved_on


def active() -> bool:
    """Whether this view is in screen mode (the URL decides, so a copied link opens the same screen)."""
    return st.query_params.get("mode") == MODE


def nav_position() -> str:
    return "hidden" if active() else "sidebar"


def sidebar_toggle() -> None:
    """The sidebar switch into screen mode (normal mode only)."""
    def on() -> None:
        if st.session_state.get("screen_toggle"):
            st.query_params["mode"] = MODE

    st.sidebar.toggle(t("screen_mode"), key="screen_toggle", value=False, on_change=on, help=t("screen_help"))


def _leave() -> None:
    for k in SCREEN_KEYS:
        if k in st.query_params:
            del st.query_params[k]
    st.session_state["_sel_init"] = False  # the sidebar re-reads the selection from the URL
    st.session_state["screen_toggle"] = False


_KEYS_JS = """
export default function(component) {
  const { parentElement, setTriggerValue, data } = component;
  window.__kpmSend = setTriggerValue;
  const clock = parentElement.querySelector('.kpm-clock');
  const day = parentElement.querySelector('.kpm-day');
  const wd = '日一二三四五六';
  const pad = (n) => String(n).padStart(2, '0');
  const tick = () => {
    const d = new Date();
    if (clock) clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    if (day) day.textContent = d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 星期' + wd[d.getDay()];
  };
  // Fit the window: the layout is designed DESIGN_H px high; zoom it to the window's height (whole, no scrolling).
  // A phone (PHONE_W px or narrower) is zoomed to its width instead and scrolls down.
  const fit = () => document.documentElement.style.setProperty('--kpm-zoom', String(
    window.innerWidth <= PHONE_W ? window.innerWidth / PHONE_DESIGN_W : window.innerHeight / DESIGN_H));
  fit();
  if (!window.__kpmFitBound) {
    window.__kpmFitBound = true;
    // A chart may read its width on the window's resize before the zoom has changed: once the zoom is set, say
    // "resize" again (a synthetic event, not trusted, so this does not repeat).
    window.addEventListener('resize', (e) => {
      fit();
      if (e.isTrusted) requestAnimationFrame(() => window.dispatchEvent(new Event('resize')));
    });
    // Charts take their frame's width (Vega's "container" size), which Vega reads again only on a window resize:
    // when a chart's frame changes width (drawn before its column had settled), tell it so.
    const seen = new WeakMap();
    const frames = new ResizeObserver((entries) => {
      let moved = false;
      for (const e of entries) {
        const w = Math.round(e.target.clientWidth);
        if (seen.get(e.target) !== w) { seen.set(e.target, w); moved = true; }
      }
      if (moved) requestAnimationFrame(() => window.dispatchEvent(new Event('resize')));
    });
    const watch = () => document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')
      .forEach((c) => { if (!seen.has(c)) { seen.set(c, -1); frames.observe(c); } });
    new MutationObserver(watch).observe(document.body, {childList: true, subtree: true});
    watch();
  }
  // Touch controls: the same commands as the keys.
  const names = (data && data.labels) || {};
  parentElement.querySelectorAll('.kpm-touch button').forEach((b) => {
    if (names[b.dataset.cmd]) { b.title = names[b.dataset.cmd]; b.setAttribute('aria-label', names[b.dataset.cmd]); }
    b.onclick = () => setTriggerValue('cmd', b.dataset.cmd);
  });
  tick();
  const timer = setInterval(tick, 1000);
  if (!window.__kpmKeysBound) {
    window.__kpmKeysBound = true;
    document.addEventListener('keydown', (e) => {
      const tag = (e.target && e.target.tagName) || '';
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || !document.querySelector('.kpm-screen-on')) return;
      let cmd = null;
      if (e.code === 'Space' || e.key === ' ') cmd = 'pause';
      else if (e.key === 'ArrowRight' || e.key === 'PageDown') cmd = 'next';
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') cmd = 'prev';
      else if (e.key === 'Escape') cmd = 'exit';
      if (cmd && window.__kpmSend) { e.preventDefault(); window.__kpmSend('cmd', cmd); }
    });
  }
  return () => clearInterval(timer);
}
"""
_KEYS_JS = (_KEYS_JS.replace("PHONE_DESIGN_W", str(PHONE_DESIGN_W)).replace("PHONE_W", str(PHONE_W))
            .replace("DESIGN_H", str(DESIGN_H)))
_KEYS_HTML = ('<div class="kpm-clockbox"><div><div class="kpm-clock">--:--:--</div><div class="kpm-day"></div></div>'
              '<div class="kpm-touch">' + "".join(f'<button type="button" data-cmd="{c}">{s}</button>' for c, s in
                                                   (("prev", "◀"), ("pause", "Ⅱ"), ("next", "▶"), ("exit", "✕")))
              + '</div></div>')
TOUCH = ("prev", "pause", "next", "exit")  # the touch controls' commands, named by screen_touch_<cmd>
_clock_component = st.components.v2.component("kpm_screen_clock", html=_KEYS_HTML, css=CLOCK_CSS, js=_KEYS_JS)


def _clock_and_keys() -> str | None:
    """The live clock (browser time) and the key listener; returns the key command of this run, if any."""
    try:
        labels = {c: t(f"screen_touch_{c}") for c in TOUCH}
        res = _clock_component(key="kpm_screen_clock", data={"labels": labels}, on_cmd_change=lambda: None,
                               height=80)
    except Exception:  # noqa: BLE001 - a clock must never take the screen down
        return None
    return getattr(res, "cmd", None) if res is not None else None


def _page_of(nav, pages: Sequence) -> str | None:
    for page in pages:
        if t(page.title) == nav.title:
            return page.path
    return None


def _write_url(new: dict[str, str | list[str]]) -> None:
    now = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    want = {k: (v if isinstance(v, list) else [v]) for k, v in new.items()}
    if now != want:
        st.query_params.from_dict(new)


def _url_params(pl_: Playlist) -> dict[str, str | list[str]]:
    """The whole query string for a playlist state: the screen keys plus the selection and language kept as is."""
    keep = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k not in SCREEN_KEYS}
    return {**{k: (v if len(v) > 1 else v[0]) for k, v in keep.items() if v}, **pl_.params()}


def _go(pl_: Playlist, current: str | None) -> None:
    """Show the playlist's step: switch page if it names another one, otherwise rerun with the new URL."""
    page, _ = pl_.at()
    params = _url_params(pl_)
    if page and page != current:
        st.switch_page(page, query_params=params)
    _write_url(params)
    st.rerun()


def _selection(pl_: Playlist, months: list[str], options: dict[str, list[str]]) -> Selection:
    """The month and filters from the URL, narrowed to the playlist's county; put where pages read them."""
    month = st.query_params.get("month")
    month = month if month in months else (months[-1] if months else "")
    seen = st.session_state.setdefault(FOLLOW, {})   # on the newest month, a newly published one moves the screen on
    latest, last = (months[-1] if months else ""), seen.get("screen_month")
    seen["screen_month"] = latest
    if moved_on(month, latest, last) != month:
        month = st.query_params["month"] = latest
    st.session_state["sel_month"] = month
    for k in MULTI:
        st.session_state[f"sel_{k}"] = [v for v in st.query_params.get_all(k) if v in options.get(k, [])]
    _, county = pl_.at()
    if county:
        st.session_state["sel_county"] = [county]
    return current()


def run(nav, pages: Sequence) -> None:
    """Screen mode for this run: URL and keys → playlist step, page switch, selection, CSS, header, timer
    (`pages`: the pages' table, pages/__init__.py)."""
    months = cached.months()
    options = cached.options()
    pl_ = parse_playlist(st.query_params.to_dict(), pages, options.get("county", []))
    current = _page_of(nav, pages)
    st.markdown(css(), unsafe_allow_html=True)

    head = st.container(key="kpm_screen_head")
    left, mid, right = head.columns([6, 4, 2.4], vertical_alignment="center")
    with right:
        cmd = _clock_and_keys()
    if cmd == "exit":
        _leave()
        st.rerun()
    moved = "next" in st.query_params or "prev" in st.query_params
    pl_ = apply_command(pl_, cmd)
    page, _ = pl_.at()
    if moved or cmd in ("next", "prev") or (page and page != current):
        _go(pl_, current)
    _write_url(_url_params(pl_))

    header(left, nav.title, _selection(pl_, months, options))
    with mid:
        _status(pl_, pages, current)


def _status(pl_: Playlist, pages: Sequence, current: str | None) -> None:
    """The rotation status, and the timer that advances the playlist (a fragment rerun every `interval` s)."""
    titles = {page.path: t(page.title) for page in pages}

    def label(step: int) -> str:
        page, county = pl_.at(step)
        name = titles.get(page or current or "", "")
        return name + (f"（{county}）" if county and not pl_.pin else "")

    st.session_state["_screen_shown"] = time.time()
    every = pl_.interval if pl_.rotating else None

    @st.fragment(run_every=every)
    def ticker() -> None:
        shown = st.session_state.get("_screen_shown", 0.0)
        if every and time.time() - shown >= every - 0.5:
            _go(pl_.advanced(1), current)
        if pl_.length <= 1:
            state = t("screen_single")
        elif pl_.paused:
            state = f"⏸ {t('screen_paused')} {pl_.step + 1}/{pl_.length}"
        else:
            state = (f"▶ {t('screen_rotating')} {pl_.step + 1}/{pl_.length} · "
                     f"{t('screen_every').format(n=pl_.interval)} · {t('screen_next')}：{label(pl_.step + 1)}")
        warn = (f'<div class="kpm-warn">{t("screen_unknown")}：{html.escape("、".join(pl_.unknown))}</div>'
                if pl_.unknown else "")
        st.markdown(f'<div class="kpm-status">{html.escape(state)}<div class="kpm-keys">{t("screen_keys")}</div>'
                    f'{warn}</div>', unsafe_allow_html=True)

    ticker()
