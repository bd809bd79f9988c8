"""The README's replica set-up, run for real: two `streamlit run app.py --server.baseUrlPath kpm` processes over one
store behind Debian's nginx, with the README's proxy block pointed at the README's upstream group (its `ip_hash`,
and the route cookie the README gives for viewers behind one address), and Chromium loading pages through it.

Which process served a view is read from the app's run log (KPM_RUN_LOG, shared by both: each line names its
process): with the route cookie, new browsers land on both replicas and each browser's views stay on one; with
`ip_hash`, every browser on this machine (one address) lands on the same one, as the README warns."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_nginx import (CHROMIUM, ROOT, TITLE_JS, adapt, free_port, pytestmark, readme_block,  # noqa: F401
                              run_nginx, self_signed, server_name, stop, wait_kpm_healthy, wait_port)

SECTION = "### Several server processes (replicas)"
VARIANTS = ("ip_hash", "route cookie")  # the README's two upstream blocks, in its order
# Browsers each: a hash that does not stick (Streamlit's XSRF cookie, whose value changes while a page is open) split
# every second browser or so in this test (measured); eight let it pass about once in 250 runs.
MIN_BROWSERS = 8

def replicas_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md 没有“{SECTION}”一节"
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def upstream_blocks() -> list[str]:
    """The README's upstream variants (its ```nginx blocks in the replicas section: ip_hash, the route cookie)."""
    blocks = re.findall(r"```nginx\n(.*?)```", replicas_section(), re.S)
    assert len(blocks) == 2, "README 的副本一节应有两段 ```nginx 配置（ip_hash 与路由 cookie）"
    return blocks


def config(variant: str, ports: list[int], listen: int, cert: tuple[Path, Path]) -> str:
    """The README's proxy block with the upstream variant's lines put where the README says (its http-level lines
    before the server block, its `# in location /kpm/:` lines in place of the proxy_pass), the group's servers on
    `ports`."""
    group = upstream_blocks()[VARIANTS.index(variant)]
    http_part, _, location_part = group.partition("# in location /kpm/:")
    servers = re.findall(r"^\s*server\s+127\.0\.0\.1:\d+;", http_part, re.M)
    assert len(servers) == 2, servers
    for line, port in zip(servers, ports):
        http_part = http_part.replace(line, re.sub(r":\d+;", f":{port};", line), 1)
    location = [line.lstrip("#").strip() for line in location_part.strip().splitlines()]
    assert location and location[0] == "proxy_pass http://kpm_replicas/kpm/;", location
    crt, key = cert
    block = adapt(readme_block(), listen=listen, upstream=ports[0], cert=crt, key=key)
    block, n = re.subn(rf"proxy_pass http://127\.0\.0\.1:{ports[0]}/kpm/;",
                       "\n        ".join(location).replace("\\", "\\\\"), block)
    assert n == 1, "README 的反向代理块应恰有一处 proxy_pass http://127.0.0.1:8501/kpm/;"
    return http_part + "\n" + block


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """Two app processes under /kpm over one store, logging their runs to one file: (ports, pids, run log)."""
    d = tmp_path_factory.mktemp("replicas")
    runs = d / "runs.tsv"
    env = {**os.environ, "KPM_STORE": str(d / "store"), "KPM_RUN_LOG": str(runs)}
    procs, ports = [], []
    try:
        for k in range(2):
            port = free_port()
            log = d / f"streamlit-{k}.log"
            with open(log, "wb") as fh:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                     "--server.port", str(port), "--server.baseUrlPath", "kpm", "--server.headless", "true",
                     "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT))
            ports.append(port)
            wait_port(port, procs[-1], f"streamlit 副本 {k}", log)
        for port in ports:
            wait_kpm_healthy(port)
        yield ports, [p.pid for p in procs], runs
    finally:
        for p in procs:
            stop(p)


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return self_signed(server_name(readme_block()), tmp_path_factory.mktemp("tls"))


def _runs_by_pid(runs: Path, since: int) -> list[str]:
    """The process of each script run logged after the first `since` lines."""
    lines = runs.read_text(encoding="utf-8").splitlines() if runs.exists() else []
    return [line.split("\t")[5] for line in lines[since:] if len(line.split("\t")) > 5]


def _browse(port: int, runs: Path, browsers: int, until_both: bool = False) -> list[set[str]]:
    """Open `browsers` fresh browsers (own cookies each) on the overview through the proxy, each then switching to
    项目推进 in its sidebar and opening 县区比拼 as a link (a new websocket); the processes that ran each browser's
    views. With until_both, stop once MIN_BROWSERS have been and two landed on different processes."""
    from playwright.sync_api import sync_playwright

    name = server_name(readme_block())
    base = f"https://{name}:{port}/kpm"
    out: list[set[str]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--host-resolver-rules=MAP {name} 127.0.0.1"])
        try:
            for _ in range(browsers):
                ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900},
                                          locale="zh-CN")
                page = ctx.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda e: problems.append(str(e)))
                since = len(runs.read_text(encoding="utf-8").splitlines()) if runs.exists() else 0
                page.goto(base + "/", wait_until="commit", timeout=60_000)
                page.wait_for_function(TITLE_JS, arg="总览", polling=200, timeout=90_000)
                page.locator('[data-testid="stSidebarNav"] a[href$="/progress"]').first.click(timeout=30_000)
                page.wait_for_function(TITLE_JS, arg="项目推进", polling=200, timeout=90_000)
                # a link opened in the same browser: a new page load and websocket, the browser's cookies sent
                page.goto(base + "/compare", wait_until="commit", timeout=60_000)
                page.wait_for_function(TITLE_JS, arg="县区比拼", polling=200, timeout=90_000)
                assert page.locator('[data-testid="stException"]').count() == 0
                assert problems == [], problems
                time.sleep(0.3)  # the run log line is written as the script ends
                out.append(set(_runs_by_pid(runs, since)))
                ctx.close()
                if until_both and len(out) >= MIN_BROWSERS and len(set().union(*out)) == 2:
                    break
        finally:
            browser.close()
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_readme_replicas_behind_nginx(replicas, cert, tmp_path, variant):
    if not CHROMIUM.exists():
        pytest.fail("浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）")
    ports, pids, runs = replicas
    listen = free_port()
    proc = run_nginx(config(variant, ports, listen, cert), tmp_path / "nginx")
    by_cookie = variant == "route cookie"
    try:
        wait_port(listen, proc, "nginx", tmp_path / "nginx" / "error.log", 30)
        seen = _browse(listen, runs, 16 if by_cookie else 4, until_both=by_cookie)
    finally:
        stop(proc)
    assert all(len(s) == 1 for s in seen), f"a browser's views were run by several processes: {seen}"
    landed = set().union(*seen)
    assert landed <= {str(p) for p in pids}
    if by_cookie:  # browsers with their own route cookie spread over both (16 browsers all on one: 1 in 32,768)
        assert len(landed) == 2, seen
    else:  # one client address: one process, whichever browser it is
        assert len(landed) == 1, seen
