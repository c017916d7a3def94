"""Largest contentful paint of a field page's first load on slow 3G (400 ms, 400 kbit/s) with 4× CPU
throttling, set through Chromium's DevTools protocol. Budget (docs/budgets.md): ≤ 1.5 s.

Each round opens a fresh browser context (empty cache, no service worker) signed in as the treasurer.
"""

import os
import statistics
import subprocess
from pathlib import Path

from .server import demo_server, sign_in

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("home", "/"),
    ("attendance_day", "/attendance/{ksm}/2021-05-03"),
    ("wage_list", "/payments/{ksm}/2021-04-15"),
]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, each round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes/s
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4
LCP = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""


def chromium():
    """The Chromium scripts/chromium.sh finds or installs ("playwright" = Playwright's own)."""
    path = (
        os.environ.get("CHROMIUM_PATH")
        or subprocess.run(
            [str(ROOT / "scripts" / "chromium.sh")], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    return {} if path == "playwright" else {"executable_path": path}


def first_load(browser, url, cookie_header, base):
    """LCP in ms of one cold load of `url`."""
    context = browser.new_context(service_workers="block")
    context.add_cookies(
        [
            {"name": n, "value": v, "url": base}
            for n, v in (c.split("=", 1) for c in cookie_header.split("; "))
        ]
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(url, wait_until="load")
    lcp = page.evaluate(LCP)
    context.close()
    return lcp


def measure(rounds=3):
    from playwright.sync_api import sync_playwright

    with demo_server() as (base, ksm), sync_playwright() as pw:
        cookie = sign_in(base, "bendahara")
        browser = pw.chromium.launch(**chromium())
        try:
            figures = {}
            for name, path in PAGES:
                url = base + path.format(ksm=ksm)
                runs = [first_load(browser, url, cookie, base) for _ in range(rounds)]
                figures[name] = {"lcp_ms": statistics.median(runs)}
        finally:
            browser.close()
    return figures


def main(quick=False):
    rounds = 1 if quick else 3
    figures = measure(rounds)
    conditions = f"slow 3G (400 ms, 400 kbit/s) + {CPU_SLOWDOWN}× CPU"
    print(f"largest contentful paint, first load, {conditions}, median of {rounds}:")
    for name, f in figures.items():
        print(f"  {name:16s} {f['lcp_ms'] / 1000:5.2f} s  (budget 1.5 s)")
    return figures
