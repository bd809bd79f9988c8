"""Chat groups to push to (钉钉 / 企业微信 robots) and the push settings, kept with the store in push.json (mode 600,
written atomically under the store's lock); listed masked, audited without the secret.

add / remove / masked / save_settings are what the 数据管理 page calls as well as the command line."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import parse_qsl, urlsplit

from data.files import atomic_write_bytes
from data.store import Store, StoreError

KINDS = {"dingtalk": "钉钉", "wecom": "企业微信"}
# The query parameter that is the robot's credential in each platform's webhook address.
TOKEN_PARAM = {"dingtalk": "access_token", "wecom": "key"}
FILE = "push.json"
_NAME_RE = re.compile(r"^[\w.\-\u4e00-\u9fff]{1,40}$")


@dataclass(frozen=True)
class Target:
    """One group robot: its name here, platform, webhook address and (钉钉 加签) secret."""

    name: str
    kind: str
    url: str
    secret: str = ""
    added: str = ""
    added_by: str = ""

    @property
    def kind_zh(self) -> str:
        return KINDS[self.kind]

    def secrets(self) -> list[str]:
        """Every string that must never be printed: the secret and the address's credential."""
        token = dict(parse_qsl(urlsplit(self.url).query)).get(TOKEN_PARAM[self.kind], "")
        return [s for s in (self.secret, token) if s]


@dataclass(frozen=True)
class Settings:
    """How pushes are made: the dashboard's address for links, where the briefs' pictures are served, the days
    before the reporting deadline when 催报 starts, and the bounded retries."""

    dashboard_url: str = ""  # e.g. https://kpm.example.gov.cn/kpm/
    image_url: str = ""      # where <store>/briefs/ is served; default <dashboard_url>brief/
    remind_days: int = 3
    attempts: int = 3
    backoff_s: float = 2.0   # waits 2, 4, 8 … seconds between attempts
    timeout_s: float = 15.0

    @property
    def image_base(self) -> str:
        """The address under which the chat app fetches a brief's picture, '' when none is known."""
        base = self.image_url or (f"{self.dashboard_url.rstrip('/')}/brief/" if self.dashboard_url else "")
        return base if not base or base.endswith("/") else base + "/"


def _path(store: Store):
    return store.root / FILE


def _load(store: Store) -> tuple[list[Target], Settings]:
    path = _path(store)
    if not path.exists():
        return [], Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        names = {f.name for f in fields(Settings)}
        return ([Target(**t) for t in raw.get("targets", [])],
                Settings(**{k: v for k, v in raw.get("settings", {}).items() if k in names}))
    except (ValueError, TypeError) as e:
        raise StoreError(f"推送设置文件 {path} 已损坏（{type(e).__name__}），请从备份恢复或删除后重新添加推送对象。") from None


def targets(store: Store) -> list[Target]:
    """Every target, in the order they were added."""
    return _load(store)[0]


def settings(store: Store) -> Settings:
    return _load(store)[1]


def find(store: Store, name: str) -> Target:
    """The target called `name`; StoreError naming the ones there are."""
    all_ = targets(store)
    for t in all_:
        if t.name == name:
            return t
    have = "、".join(t.name for t in all_) or "（尚无，用 python -m reports push target add 添加）"
    raise StoreError(f"没有名为“{name}”的推送对象。已有：{have}")


def _save(store: Store, items: list[Target], conf: Settings, audit: dict) -> None:
    data = json.dumps({"settings": asdict(conf), "targets": [asdict(t) for t in items]}, ensure_ascii=False,
                      indent=1).encode("utf-8")
    atomic_write_bytes(_path(store), data)  # a temp file made 0600, renamed: never readable by others
    _path(store).chmod(0o600)
    store.append_audit(**audit, month="")


def mask(value: str) -> str:
    """A credential shown so it can be told apart but not used: its first and last 3 characters."""
    if not value:
        return ""
    return f"{value[:3]}…{value[-3:]}" if len(value) > 10 else "…"


def mask_url(url: str) -> str:
    """The address with every query value masked (the access_token or key is the robot's credential)."""
    parts = urlsplit(url)
    query = "&".join(f"{k}={mask(v)}" for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def masked(store: Store) -> list[dict]:
    """Every target as it may be shown: name, platform, masked address, whether 加签 is set, who added it when."""
    return [{"name": t.name, "kind": t.kind, "kind_zh": t.kind_zh, "url": mask_url(t.url),
             "secret": "已设置" if t.secret else "", "added": t.added, "added_by": t.added_by} for t in targets(store)]


def _check(name: str, kind: str, url: str, secret: str) -> None:
    if not _NAME_RE.match(name or ""):
        raise StoreError(f"推送对象名称“{name}”不可用：请用 1–40 个汉字、字母、数字或 . - _（如 领导群）。")
    if kind not in KINDS:
        raise StoreError(f"平台“{kind}”不支持：可选 dingtalk（钉钉）或 wecom（企业微信）。")
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in url):
        raise StoreError(f"Webhook 地址“{mask_url(url or '')}”无效：应为 https:// 开头的完整地址（在群设置 → 机器人中复制）。")
    query = dict(parse_qsl(parts.query))
    token = TOKEN_PARAM[kind]
    if not query.get(token):
        raise StoreError(f"{KINDS[kind]}机器人的 Webhook 地址应含 {token}=…：请在群设置 → 机器人中复制完整地址。")
    if kind == "dingtalk" and ({"timestamp", "sign"} & set(query)):
        raise StoreError("Webhook 地址中不应有 timestamp 或 sign：它们在每次发送时由加签密钥算出，请只填 access_token 的地址，"
                         "密钥用 --secret 给出。")
    if secret and kind != "dingtalk":
        raise StoreError("企业微信群机器人没有加签密钥：只需 Webhook 地址，请去掉 --secret。")
    if secret and any(ch.isspace() for ch in secret):
        raise StoreError("加签密钥中有空格或换行：请从钉钉机器人安全设置中完整复制（SEC 开头）。")


def add(store: Store, name: str, kind: str, url: str, secret: str = "", *, user: str = "") -> Target:
    """Add a target (refused, store unchanged, when the name is taken or an input is wrong); audited without the
    secret and with the address masked."""
    name, url, secret = (name or "").strip(), (url or "").strip(), (secret or "").strip()
    _check(name, kind, url, secret)
    with store.lock():
        items, conf = _load(store)
        if any(t.name == name for t in items):
            raise StoreError(f"已有名为“{name}”的推送对象：换一个名称，或先删除它（target remove {name}）。")
        target = Target(name, kind, url, secret, dt.datetime.now().isoformat(timespec="seconds"), user)
        _save(store, [*items, target], conf, {"user": user, "action": "push-target-add", "target": name,
                                              "kind": kind, "url": mask_url(url), "signed": bool(secret)})
    return target


def remove(store: Store, name: str, *, user: str = "") -> None:
    """Remove a target; audited."""
    with store.lock():
        items, conf = _load(store)
        if not any(t.name == name for t in items):
            find(store, name)  # raises, naming the targets there are
        _save(store, [t for t in items if t.name != name], conf,
              {"user": user, "action": "push-target-remove", "target": name})


def save_settings(store: Store, *, user: str = "", **changes) -> Settings:
    """Change some settings (dashboard_url, image_url, remind_days, attempts, backoff_s, timeout_s); audited."""
    for key in ("dashboard_url", "image_url"):
        url = changes.get(key)
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise StoreError(f"地址“{url}”无效：应为 http:// 或 https:// 开头的完整地址。")
    if changes.get("remind_days") is not None and not 0 <= changes["remind_days"] <= 31:
        raise StoreError("催报提前天数应在 0–31 之间。")
    if changes.get("attempts") is not None and not 1 <= changes["attempts"] <= 10:
        raise StoreError("发送尝试次数应在 1–10 之间。")
    if changes.get("backoff_s") is not None and not 0 <= changes["backoff_s"] <= 600:
        raise StoreError("重试等待秒数应在 0–600 之间。")
    changes = {k: v for k, v in changes.items() if v is not None}
    with store.lock():
        items, conf = _load(store)
        conf = replace(conf, **changes)
        _save(store, items, conf, {"user": user, "action": "push-settings", **changes})
    return conf
