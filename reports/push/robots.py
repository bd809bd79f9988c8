"""Group robots' message formats and sending: 钉钉's custom robot (markdown, 加签 URL) and 企业微信's group robot
(markdown, image as base64 + md5), each POST retried a bounded number of times, failures said in Chinese."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from reports.push.targets import Settings, Target

WECOM_IMAGE_LIMIT = 2 * 1024 * 1024  # 企业微信: the picture before base64 at most 2 MB, JPG or PNG
WECOM_MARKDOWN_LIMIT = 4096          # 企业微信: markdown content at most 4096 bytes (UTF-8)
DINGTALK_MARKDOWN_LIMIT = 20_000     # 钉钉: a message body of at most 20,000 bytes


class PushError(Exception):
    """A message that could not be delivered, said in Chinese (never holding a secret)."""


@dataclass(frozen=True)
class Message:
    """One robot message: what it is (for the report) and its JSON body."""

    label: str
    body: dict


# ---- 钉钉 ---------------------------------------------------------------------------------------------------------
def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: Base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), not yet URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook address with `timestamp` (ms) and `sign` (URL-encoded) appended; unchanged without a secret."""
    if not secret:
        return url
    query = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def dingtalk_markdown(title: str, text: str) -> dict:
    """钉钉 markdown: the title is what the conversation list shows, the text the message (images by URL)."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": _cut(text, DINGTALK_MARKDOWN_LIMIT)}}


# ---- 企业微信 ------------------------------------------------------------------------------------------------------
def wecom_markdown(content: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": _cut(content, WECOM_MARKDOWN_LIMIT)}}


def wecom_image(picture: bytes) -> dict:
    """企业微信 image: the picture's base64 and the md5 of its bytes (before base64)."""
    if len(picture) > WECOM_IMAGE_LIMIT:
        raise PushError(f"图片 {len(picture):,} 字节，超过企业微信 2 MB 的上限。")
    return {"msgtype": "image", "image": {"base64": base64.b64encode(picture).decode("ascii"),
                                          "md5": hashlib.md5(picture).hexdigest()}}


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut at a line's end where it must be cut (never inside a character)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - 4].decode("utf-8", errors="ignore")
    return cut[: cut.rfind("\n")] + "\n…" if "\n" in cut else cut + "…"


def join_lines(target: Target, lines: list[str]) -> str:
    """Markdown lines as each platform breaks them (钉钉 needs a blank line between lines)."""
    return ("\n\n" if target.kind == "dingtalk" else "\n").join(lines)


# ---- sending ------------------------------------------------------------------------------------------------------
def scrub(text: str, target: Target) -> str:
    """The text with the target's secret and credential replaced by ****."""
    for s in target.secrets():
        text = text.replace(s, "****")
    return text


def _reply_error(status: int, raw: bytes) -> str | None:
    """Why a reply is a refusal (None when it is a success): the platform's own errcode and errmsg when it sent JSON."""
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        reply = None
    if isinstance(reply, dict) and "errcode" in reply:
        code = reply.get("errcode")
        if code == 0 and status < 400:
            return None
        return f"平台返回错误码 {code}：{reply.get('errmsg', '')}" + (f"（HTTP {status}）" if status >= 400 else "")
    snippet = raw[:200].decode("utf-8", errors="replace").strip()
    if status >= 400:
        return f"HTTP {status}" + (f"：{snippet}" if snippet else "")
    return f"平台的回复不是预期的 JSON（{snippet or '空'}）"


def post(target: Target, message: Message, conf: Settings, *, say: Callable[[str], None] = print,
         sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> None:
    """POST one message, signing each attempt anew (钉钉's timestamp must be within an hour); up to conf.attempts
    tries, waiting conf.backoff_s × 2^k between them; PushError with the platform's own message after the last."""
    data = json.dumps(message.body, ensure_ascii=False).encode("utf-8")
    why = ""
    for attempt in range(1, conf.attempts + 1):
        url = signed_url(target.url, target.secret, int(clock() * 1000)) if target.kind == "dingtalk" else target.url
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=conf.timeout_s) as reply:
                why = _reply_error(reply.status, reply.read())
        except urllib.error.HTTPError as e:
            why = _reply_error(e.code, e.read() or str(e.reason).encode())
        except (urllib.error.URLError, OSError) as e:  # refused, unreachable, timed out, DNS
            why = f"网络错误：{getattr(e, 'reason', e)}"
        if why is None:
            return
        why = scrub(why, target)
        if attempt < conf.attempts:
            wait = conf.backoff_s * 2 ** (attempt - 1)
            say(f"“{target.name}”（{target.kind_zh}）{message.label}第 {attempt} 次发送失败：{why}；{wait:g} 秒后重试。")
            sleep(wait)
    raise PushError(f"“{target.name}”（{target.kind_zh}）{message.label}发送失败（已尝试 {conf.attempts} 次）：{why}")


def send(target: Target, messages: list[Message], conf: Settings, **kw) -> None:
    """Each message in turn; stops at the first that fails after its retries (PushError)."""
    for m in messages:
        post(target, m, conf, **kw)
