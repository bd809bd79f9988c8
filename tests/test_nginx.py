"""The README's nginx block, run for real: Debian's nginx with the configuration taken from README.md (only the
listen port, the upstream port and the certificate paths adapted) in front of `streamlit run app.py
--server.baseUrlPath kpm`, over TLS on the standard port 443 and on a non-standard one, with Chromium loading
pages, a filtered link and screen mode through it as https://<the README's server_name>:<port>/kpm/.

Streamlit refuses a websocket whose Origin (https://name:8443) is not the Host it is given, unless the origin's
host is a loopback name; so the browser resolves the README's server name to 127.0.0.1 instead of using 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
CHROMIUM = Path("/usr/bin/chromium")
SECTION = "### Behind a reverse proxy (nginx)"

pytestmark = pytest.mark.skipif(
    not NGINX.exists(), reason="没有 /usr/sbin/nginx：反向代理测试需要 Debian 的 nginx（apt-get install -y nginx，"
                               "或运行 bash tests/run.sh，它会一并安装）")


# ---- the README's configuration ------------------------------------------------------------------------------------
def readme_block() -> str:
    """The nginx configuration in the README's reverse-proxy section (the first ```nginx block after its heading)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md 没有“{SECTION}”一节"
    section = text.split(SECTION, 1)[1].split("\n### ", 1)[0]
    m = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert m, "README 的反向代理一节没有 ```nginx 配置块"
    return m.group(1)


def server_name(block: str) -> str:
    return re.search(r"^\s*server_name\s+(\S+);", block, re.M).group(1)


def _sub(pattern: str, repl: str, text: str) -> str:
    out, n = re.subn(pattern, repl, text, flags=re.M)
    assert n == 1, f"README 的 nginx 配置里应恰有一处 {pattern!r}（找到 {n} 处）"
    return out


def adapt(block: str, *, listen: int, upstream: int, cert: Path, key: Path) -> str:
    """The README's block with only the listen port, the upstream port and the certificate paths changed."""
    block = _sub(r"^(\s*)listen\s+443\s+ssl;", rf"\g<1>listen 127.0.0.1:{listen} ssl;", block)
    block = _sub(r"proxy_pass http://127\.0\.0\.1:8501/", f"proxy_pass http://127.0.0.1:{upstream}/", block)
    block = _sub(r"^(\s*)ssl_certificate\s+[^;]+;", rf"\g<1>ssl_certificate {cert};", block)
    return _sub(r"^(\s*)ssl_certificate_key\s+[^;]+;", rf"\g<1>ssl_certificate_key {key};", block)


def main_conf(block: str, prefix: Path) -> str:
    """A whole nginx.conf around the block (which the README puts in conf.d/, i.e. inside http {}), every file the
    server writes kept under prefix."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root the workers would otherwise drop to nobody
    temps = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                            "scgi"))
    return (f"{user}worker_processes 1;\nerror_log {prefix / 'error.log'};\npid {prefix / 'nginx.pid'};\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n    access_log {prefix / 'access.log'};\n{temps}"
            f"{block}\n}}\n")


def self_signed(name: str, out: Path) -> tuple[Path, Path]:
    """A throw-away certificate for name (cryptography, which Authlib in requirements.txt depends on)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    crt, pem = out / "kpm.crt", out / "kpm.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    pem.chmod(0o600)
    return crt, pem


# ---- processes -----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_443_free() -> bool:
    if os.geteuid() != 0:
        return False
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 443))
        except OSError:
            return False
    return True


def wait_port(port: int, proc: subprocess.Popen, what: str, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} 退出了（{proc.returncode}）：{log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"{what} 在 {seconds:.0f} 秒内没有监听 {port}：{log.read_text(errors='replace')[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def wait_kpm_healthy(port: int, seconds: float = 120) -> None:
    """Until the app on `port` is up and serving under the base path /kpm."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/kpm/_stcore/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The dashboard under /kpm on a loopback port, reading an empty store (the demo city)."""
    d = tmp_path_factory.mktemp("app")
    port = free_port()
    log = d / "streamlit.log"
    env = {**os.environ, "KPM_STORE": str(d / "store")}
    env.pop("KPM_RUN_LOG", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                                 "--server.port", str(port), "--server.baseUrlPath", "kpm",
                                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc, "streamlit", log)
        wait_kpm_healthy(port)
        yield port
    finally:
        stop(proc)


def run_nginx(block: str, prefix: Path) -> subprocess.Popen:
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(block, prefix), encoding="utf-8")
    test = subprocess.run([str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-t"],
                          capture_output=True, text=True, timeout=30)
    assert test.returncode == 0, f"nginx -t 拒绝了 README 的配置：{test.stderr}"
    return subprocess.Popen([str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    return self_signed(server_name(readme_block()), d)


@pytest.fixture
def proxy(app, cert, tmp_path):
    """start(port, block=README's) → nginx serving https://name:port/kpm/ in front of the app; all stopped after."""
    procs = []

    def start(port: int, block: str | None = None) -> int:
        crt, key = cert
        conf = adapt(block or readme_block(), listen=port, upstream=app, cert=crt, key=key)
        prefix = tmp_path / f"nginx-{port}"
        proc = run_nginx(conf, prefix)
        procs.append(proc)
        wait_port(port, proc, "nginx", prefix / "error.log", 30)
        return port

    yield start
    for p in procs:
        stop(p)


PORTS = {"443": lambda: 443 if port_443_free() else None, "nonstandard": free_port}


def _port(kind: str) -> int:
    port = PORTS[kind]()
    if port is None:
        pytest.skip("端口 443 不可用（需要 root 且端口空闲）：只测非标准端口")
    return port


def _origin(port: int) -> str:
    return f"https://{server_name(readme_block())}" + ("" if port == 443 else f":{port}")


# ---- the websocket handshake: what the Host header decides ---------------------------------------------------------
async def _handshake(port: int) -> int:
    """Status of the websocket upgrade at /kpm/_stcore/stream through the proxy, sent as the browser sends it."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    origin = _origin(port)
    uri = f"wss://{urllib.parse.urlsplit(origin).netloc}/kpm/_stcore/stream"
    try:
        async with connect(uri, origin=origin, subprotocols=["streamlit"], ssl=ctx, host="127.0.0.1", port=port,
                           open_timeout=30, proxy=None):
            return 101
    except InvalidStatus as e:
        return e.response.status_code


@pytest.mark.parametrize("kind", ["443", "nonstandard"])
def test_readme_block_passes_the_websocket(proxy, kind):
    port = proxy(_port(kind))
    assert asyncio.run(_handshake(port)) == 101


@pytest.mark.parametrize("kind,status", [("443", 101), ("nonstandard", 403)])
def test_host_without_its_port_is_refused_off_443(proxy, kind, status):
    """Why the README says $http_host: nginx's $host has no port, so behind :8443 Streamlit sees Origin
    https://name:8443 against Host name and refuses the websocket — on 443 the two agree and it works."""
    block = _sub(r"proxy_set_header Host\s+\$http_host;", "proxy_set_header Host $host;", readme_block())
    port = proxy(_port(kind), block)
    assert asyncio.run(_handshake(port)) == status


# ---- the dashboard in a browser through the proxy ------------------------------------------------------------------
TITLE_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"] img, [data-testid="stStatusWidget"] button')) return false;
  const h = [...document.querySelectorAll('[data-testid="stMain"] h1')].map(e => e.innerText.trim());
  const screen = [...document.querySelectorAll('.kpm-head .kpm-page')].map(e => e.innerText.trim());
  return h.concat(screen).some(t => t.startsWith(title));
}"""


@pytest.mark.parametrize("kind", ["443", "nonstandard"])
def test_pages_a_filtered_link_and_screen_mode_through_the_proxy(proxy, kind):
    if not CHROMIUM.exists():
        pytest.fail("浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）")
    from playwright.sync_api import sync_playwright

    port = proxy(_port(kind))
    name = server_name(readme_block())
    base = f"{_origin(port)}/kpm"
    county = "东城区"
    views = [("/", "总览"), ("/progress", "项目推进"),
             (f"/compare?month=2025-06&county={urllib.parse.quote(county)}", "县区比拼"),
             ("/compare?mode=screen", "县区比拼")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--host-resolver-rules=MAP {name} 127.0.0.1"])
        try:
            ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900},
                                      locale="zh-CN")
            page = ctx.new_page()
            sockets, problems, frames = [], [], []
            page.on("pageerror", lambda e: problems.append(f"页面脚本错误：{e}"))

            def watch(ws):
                sockets.append(ws.url)
                ws.on("socketerror", lambda err: problems.append(f"websocket 错误：{err}"))
                ws.on("framereceived", lambda payload: frames.append(len(payload)))
            page.on("websocket", watch)
            shown = {}
            for path, title in views:
                page.goto(base + path, wait_until="commit", timeout=60_000)
                page.wait_for_function(TITLE_JS, arg=title, polling=200, timeout=90_000)
                assert page.locator('[data-testid="stException"]').count() == 0, path
                shown[path] = page.locator('[data-testid="stMain"]').inner_text()
        finally:
            browser.close()
    assert problems == []
    assert sockets and all(u == f"wss://{urllib.parse.urlsplit(base).netloc}/kpm/_stcore/stream" for u in sockets)
    assert len(frames) > len(views)
    filtered = views[2][0]
    assert f"县区：{county}" in shown[filtered]  # the filter in the link reached the page through the proxy
