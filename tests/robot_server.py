"""A local HTTP server playing a chat group's robot (钉钉 or 企业微信): it records every POST and answers from a
script of replies, so tests see exactly what was sent and how a refusal is handled."""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Robot:
    """What the robot received, and the replies it is told to give (then OK for every later request)."""

    url: str
    replies: list[tuple[int, dict | str]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)


@contextlib.contextmanager
def robot_server(path: str = "/robot/send") -> Iterator[Robot]:
    """Serve on a free loopback port in a thread; `robot.url` is the base address (path included, no query)."""
    robot = Robot("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            parts = urlsplit(self.path)
            robot.received.append({"path": parts.path, "raw_query": parts.query, "query": parse_qs(parts.query),
                                   "content_type": self.headers.get("Content-Type", ""), "raw": raw,
                                   "body": json.loads(raw.decode("utf-8"))})
            status, reply = robot.replies.pop(0) if robot.replies else OK
            data = reply.encode("utf-8") if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
