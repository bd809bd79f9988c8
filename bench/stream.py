"""One viewer on Streamlit's own websocket protocol (/_stcore/stream): what a browser tab sends and receives.

A tab opening a link GETs the page, opens the websocket and sends a rerun request (BackMsg.rerun_script) with the
URL's query string and page name; a sidebar page switch sends a rerun with the page's script hash and the widget
states; a sidebar filter change sends a rerun with one widget's new value among all the others. The server answers
with ForwardMsgs — new_session, deltas (the page's elements), page_info_changed (the query string the app wrote) —
and script_finished. A view is timed from the request to that script_finished (the websocket keeps order, so every
delta of the run has arrived by then). No page is rendered: the client costs the machine a few milliseconds a view.
"""
from __future__ import annotations

import asyncio
import urllib.parse
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

MAIN, SIDEBAR = 0, 1  # the first index of a delta path: the root container (Streamlit's RootContainer)
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN   # the run was cut short by another run (st.rerun): wait for that one
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
XSRF_COOKIE = "_streamlit_xsrf"


class ViewFailed(Exception):
    """A view that did not complete (closed connection, timeout, unknown page); the message is in Chinese."""


@dataclass
class Widget:
    """A widget of a run: its id, kind, place, label, options, value, and whether the server set that value."""

    id: str
    kind: str
    sidebar: bool
    label: str
    options: list[str]
    value: object
    set_by_server: bool = False


@dataclass
class View:
    """What one run sent: its elements by delta path, and how it finished."""

    elements: dict[tuple[int, ...], object] = field(default_factory=dict)
    status: int | None = None
    page_not_found: bool = False
    unknown_refs: int = 0

    def exceptions(self) -> list[str]:
        """'Type: message' of every exception element of the run (st.exception or an uncaught error)."""
        out = []
        for el in self.elements.values():
            if el.WhichOneof("type") == "exception":
                e = el.exception  # with showErrorDetails = "none" the type is empty and the message generic
                out.append((f"{e.type}: {e.message}" if e.type else e.message)[:300])
        return out

    def h1(self) -> list[str]:
        """Texts of the top-level headings (st.title) in the main area."""
        return [el.heading.body.strip() for path, el in self.elements.items()
                if path and path[0] == MAIN and el.WhichOneof("type") == "heading" and el.heading.tag == "h1"]

    def widgets(self, held: dict[str, Widget]) -> dict[str, Widget]:
        """The run's widgets with the values the browser then holds: the one the server set, else the one the tab
        already held for that widget, else the widget's default."""
        out = {}
        for path, el in self.elements.items():
            w = widget_of(el, bool(path) and path[0] == SIDEBAR)
            if w is None:
                continue
            if not w.set_by_server and w.id in held:
                w.value = held[w.id].value
            out[w.id] = w
        return out


def _index(options, i) -> str | None:
    return options[i] if 0 <= i < len(options) else None


def widget_of(el, sidebar: bool) -> Widget | None:
    """The widget an element shows, with the value the server set or else its default; None for elements that
    are not widgets of a kind modelled here (buttons send nothing until pressed; a widget not sent keeps its value
    on the server)."""
    kind = el.WhichOneof("type")
    if kind == "multiselect":
        w = el.multiselect
        value = list(w.raw_values) if w.set_value else [o for o in (_index(w.options, i) for i in w.default) if o]
        return Widget(w.id, kind, sidebar, w.label, list(w.options), value, w.set_value)
    if kind in ("selectbox", "radio"):
        w = getattr(el, kind)
        if w.set_value:
            value = w.raw_value if w.HasField("raw_value") else None
        else:
            value = _index(w.options, w.default) if w.HasField("default") else None
        return Widget(w.id, kind, sidebar, w.label, list(w.options), value, w.set_value)
    if kind == "checkbox":
        w = el.checkbox
        return Widget(w.id, kind, sidebar, w.label, [], w.value if w.set_value else w.default, w.set_value)
    if kind == "text_input":
        w = el.text_input
        value = (w.value if w.HasField("value") else None) if w.set_value else (
            w.default if w.HasField("default") else None)
        return Widget(w.id, kind, sidebar, w.label, [], value, w.set_value)
    return None


def widget_state(w: Widget) -> WidgetState | None:
    s = WidgetState(id=w.id)
    if w.kind == "multiselect":
        s.string_array_value.data.extend(w.value)
    elif w.kind in ("selectbox", "radio", "text_input"):
        if w.value is None:
            return None
        s.string_value = w.value
    elif w.kind == "checkbox":
        s.bool_value = bool(w.value)
    else:
        return None
    return s


async def http_get(url: str, cookie: str) -> tuple[int, str]:
    """GET url as a browser loads a page (HTTP/1.1, its cookie sent) on the event loop, no thread: (status, the XSRF
    cookie the server set, else the one sent)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http":
        raise ViewFailed(f"只支持 http：{url}")
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    try:
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        head = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/html", "Connection: close"]
        if cookie:
            head.append(f"Cookie: {XSRF_COOKIE}={cookie}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
        await writer.drain()
        response = await reader.read()  # until the server closes (Connection: close)
    finally:
        writer.close()
    header, _, _ = response.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        raise ViewFailed(f"HTTP 响应不可读：{lines[0][:80]!r}") from None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie" and value.strip().startswith(f"{XSRF_COOKIE}="):
            return status, value.strip()[len(XSRF_COOKIE) + 1:].split(";", 1)[0]
    return status, cookie


class Viewer:
    """One browser tab: a websocket session that opens links, switches pages and changes sidebar filters."""

    def __init__(self, base: str, timeout: float = 30.0, locale: str = "zh-CN"):
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path}/_stcore/stream"
        self.timeout, self.locale = timeout, locale
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.cookie = ""
        self.pages: dict[str, str] = {}      # url path ('' for the default page) → page script hash
        self.titles: dict[str, str] = {}     # page script hash → title in the navigation
        self.page_hash = ""                  # the page the session shows (from the navigation message)
        self.path = ""
        self.query = ""                      # the query string the app last wrote (page_info_changed)
        self.widgets: dict[str, Widget] = {} # as the last finished run left them
        self.cache: dict[str, ForwardMsg] = {}   # cacheable messages by hash, as the browser's message cache
        self._run = View()
        self._waiter: asyncio.Future | None = None
        self.closed_reason = ""

    # ---- receiving -----------------------------------------------------------------------------------------------
    async def _read(self, ws) -> None:
        try:
            async for data in ws:
                if isinstance(data, str):
                    continue
                self._on(ForwardMsg.FromString(data))
            self.closed_reason = f"服务器关闭了连接（{ws.close_code}）"
        except Exception as e:  # the connection broke: the waiting view fails with this
            self.closed_reason = f"连接中断：{type(e).__name__}: {str(e)[:120]}"
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ViewFailed(self.closed_reason))

    def _on(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # the server sent only the hash of a message this tab said it has cached
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self._run.unknown_refs += 1
                return
            path = list(msg.metadata.delta_path)
            msg = ForwardMsg()
            msg.CopyFrom(cached)
            msg.metadata.ClearField("delta_path")
            msg.metadata.delta_path.extend(path)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if kind == "new_session":
            self._run = View()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._run.elements[tuple(msg.metadata.delta_path)] = msg.delta.new_element
        elif kind == "navigation":
            nav = msg.navigation
            for p in nav.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
                self.titles[p.page_script_hash] = p.page_name
            self.page_hash = nav.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self._run.page_not_found = True
        elif kind == "script_finished":
            if msg.script_finished == EARLY:
                return
            self._run.status = msg.script_finished
            if self._run.status != ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.widgets = self._run.widgets(self.widgets)
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_result(self._run)

    # ---- sending -------------------------------------------------------------------------------------------------
    def _context(self) -> BackMsg:
        msg = BackMsg()
        ci = msg.rerun_script.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "Asia/Shanghai", -480, self.locale
        ci.url, ci.is_embedded, ci.color_scheme = f"{self.base}/{self.path}", False, "light"
        return msg

    async def _rerun(self, msg: BackMsg, budget: float | None = None) -> View:
        """Send a rerun request and wait for the run's script_finished (not one cut short by a further rerun)."""
        budget = self.timeout if budget is None else max(0.0, budget)
        if self.ws is None:
            raise ViewFailed("会话没有连接")
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        self._run = View()  # a run is reported from its new_session on; this also covers a run without one
        await self.ws.send(msg.SerializeToString())
        try:
            return await asyncio.wait_for(asyncio.shield(self._waiter), budget)
        except asyncio.TimeoutError:
            raise ViewFailed(f"{self.timeout:.0f} 秒内没有收到 script_finished") from None
        finally:
            self._waiter = None

    def _states(self) -> list[WidgetState]:
        return [s for s in map(widget_state, self.widgets.values()) if s is not None]

    async def open(self, path: str, query: str = "") -> View:
        """Open /path?query as a link does: the HTML page, then a new websocket session and its first run (the
        page within the timeout, then the connection and the run within it, as a browser's load and render)."""
        await self.close()
        url = f"{self.base}/{path}" + (f"?{query}" if query else "")
        try:
            status, self.cookie = await asyncio.wait_for(http_get(url, self.cookie), self.timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise ViewFailed(f"页面请求失败：{type(e).__name__}: {str(e)[:120]}") from None
        if status != 200:
            raise ViewFailed(f"HTTP {status}")
        headers = {"Cookie": f"{XSRF_COOKIE}={self.cookie}"} if self.cookie else {}
        protocols = ["streamlit", self.cookie] if self.cookie else ["streamlit"]
        end = asyncio.get_running_loop().time() + self.timeout
        try:
            self.ws = await connect(self.ws_url, origin=self.origin, subprotocols=protocols, additional_headers=headers,
                                    open_timeout=self.timeout, ping_interval=None, max_size=None,
                                    user_agent_header="kpm-load (Streamlit protocol)", proxy=None)
        except Exception as e:  # refused handshake (403: origin), no server
            raise ViewFailed(f"websocket 未能连接：{type(e).__name__}: {str(e)[:120]}") from None
        self.reader = asyncio.create_task(self._read(self.ws))
        self.path, self.query, self.widgets, self.page_hash = path, query, {}, ""
        msg = self._context()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = path
        msg.rerun_script.widget_states.SetInParent()
        return await self._rerun(msg, end - asyncio.get_running_loop().time())

    async def switch(self, path: str, title: str = "") -> View:
        """Click the page's link in the sidebar navigation (same session, same widget states, no query string);
        a page the navigation lists under another path (the default page, at '') is found by its title."""
        page = self.pages.get(path) or next((h for h, t in self.titles.items() if title and t == title), None)
        if page is None:
            raise ViewFailed(f"导航中没有页面 /{path}")
        msg = self._context()
        msg.rerun_script.page_script_hash = page
        msg.rerun_script.widget_states.widgets.extend(self._states())
        self.path, self.query = path, ""  # the new page's URL has no query until the app writes one
        return await self._rerun(msg)

    async def change(self, widget: Widget) -> View:
        """Change one widget (a sidebar filter) to widget.value, as the browser sends it: all states, this one new."""
        self.widgets[widget.id] = widget  # the tab now holds the new value
        msg = self._context()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend(self._states())
        return await self._rerun(msg)

    def sidebar_multiselects(self) -> list[Widget]:
        return [w for w in self.widgets.values() if w.sidebar and w.kind == "multiselect" and w.options]

    async def close(self) -> None:
        ws, reader, self.ws, self.reader = self.ws, self.reader, None, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 5)
            except Exception:  # already broken: nothing left to close
                pass
        if reader is not None:
            reader.cancel()
            try:
                await reader
            except BaseException:  # cancelled, as asked
                pass
