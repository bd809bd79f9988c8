"""python -m bench.brief [--repeat N] [--month YYYY-MM]: what drawing the month's brief costs with each renderer —
vl-convert in process (what reports/push uses) against headless Chromium over a page of the same spec (as
Grafana's image renderer screenshots a dashboard). Each run is a fresh process, as a cron job is: wall time from
start to PNG and PDF written, and the peak memory of its whole process tree (Chromium's processes included),
sampled from /proc every 20 ms. Renderers alternate per repetition; medians (min–max) with the load average."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _spec(month: str) -> tuple[dict, dict]:
    """The brief's spec for the demo city (an empty store shows it) and the time its figures took."""
    from reports.push import brief

    t = time.perf_counter()
    ctx = brief.open_context(Path(tempfile.mkdtemp()), month)
    b = brief.collect(ctx)
    spec = b.spec(brief.dashboard_link("https://kpm.example.gov.cn/kpm/", ctx))
    return spec, {"figures_s": time.perf_counter() - t}


def one_vl(month: str, out: Path) -> dict:
    from reports.push import render

    spec, times = _spec(month)
    t = time.perf_counter()
    drawing = render.svg(spec)
    (out / "vl.png").write_bytes(render.png(drawing))
    (out / "vl.pdf").write_bytes(render.pdf(drawing))
    return {**times, "render_s": time.perf_counter() - t}


def one_chromium(month: str, out: Path) -> dict:
    import vl_convert as vlc
    from playwright.sync_api import sync_playwright

    spec, times = _spec(month)
    t = time.perf_counter()
    page_file = out / "brief.html"  # the same spec, Vega bundled into the page: no request leaves the machine
    page_file.write_text(vlc.vegalite_to_html(spec, bundle=True), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1080, "height": 1920})
        page.goto(page_file.as_uri())
        chart = page.wait_for_selector("#vega-chart svg")
        box = chart.bounding_box()
        chart.screenshot(path=str(out / "chromium.png"))
        page.add_style_tag(content="body{margin:0}")
        page.pdf(path=str(out / "chromium.pdf"), width=f"{box['width']}px", height=f"{box['height'] + 2}px",
                 print_background=True)
        browser.close()
    return {**times, "render_s": time.perf_counter() - t}


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (kB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ppid = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(int(d.name))
        rss[int(d.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(renderer: str, month: str) -> dict:
    """One fresh process drawing the brief: wall time, peak tree RSS, and its own timings."""
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bench.brief", "--one", renderer, "--month", month,
                                 "--out", out], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - t
        inner = json.loads(proc.stdout.read() or "{}")
        if proc.returncode:
            raise SystemExit(f"{renderer} 渲染失败（退出码 {proc.returncode}）")
        sizes = {p.name: p.stat().st_size for p in Path(out).iterdir() if p.suffix in (".png", ".pdf")}
    return {"wall_s": wall, "peak_mb": peak / 1024, **inner, "sizes": sizes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.brief", description="简报图片：vl-convert 与 Chromium 的耗时和内存")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--month", default="2025-06")
    ap.add_argument("--one", choices=["vl", "chromium"], help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        fn = one_vl if args.one == "vl" else one_chromium
        print(json.dumps(fn(args.month, Path(args.out))))
        return 0
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    runs: dict[str, list[dict]] = {"vl": [], "chromium": []}
    for _ in range(args.repeat):
        for name in runs:
            runs[name].append(measure(name, args.month))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    print(f"{'renderer':<10} {'wall s':>18} {'render s':>18} {'peak tree RSS MB':>22}  sizes")
    for name, rs in runs.items():
        def col(key, fmt="{:.2f}"):
            vals = [r[key] for r in rs]
            return f"{fmt.format(statistics.median(vals))} ({fmt.format(min(vals))}–{fmt.format(max(vals))})"
        print(f"{name:<10} {col('wall_s'):>18} {col('render_s'):>18} {col('peak_mb', '{:.0f}'):>22}  {rs[-1]['sizes']}")
    def ratio(key: str) -> float:
        return statistics.median(r[key] for r in runs["chromium"]) / statistics.median(r[key] for r in runs["vl"])

    print(f"Chromium ÷ vl-convert: wall {ratio('wall_s'):.2f}×, peak memory {ratio('peak_mb'):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
