"""Page requests/s and p90/p99 at 50 concurrent clients (wrk, another process) against a bare Flask route,
both under gunicorn.conf.py (`make run`'s settings), interleaved round by round so both see the same
machine. Budget (docs/budgets.md): ≥ 0.25 of the bare route, p90 ≤ 100 ms.

wrk asks for the same page again and again, as a phone does that keeps its pages for offline use, and
the server answers from the pages it remembers (kotaku_pwa/remembered_pages.py). Beside each page,
"<page>_rendered": the same page from a server that remembers none (KOTAKU_PAGE_MEMORY=0), what every
request of a page costs after a write changed what it shows.
"""

import re
import shutil
import statistics
import subprocess
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from kotaku_pwa.web import INSTALLED_COOKIE

from .server import AGENT, ROOT, demo_file, gunicorn, serve_demo, server_cpu, sign_in

CLIENTS = 50
# (name, user, path): what a phone asks for most, and the supervisor's page.
PAGES = [
    ("attendance_day", "bendahara", "/attendance/{ksm}/2021-05-03"),
    ("wage_list", "bendahara", "/payments/{ksm}/2021-04-15"),
    ("home", "bendahara", "/"),
    ("dashboard", "askot", "/dashboard/"),
]
# What a phone's Chromium sends (seen from Chromium 156): the pages are measured compressed, as they
# travel; Flask-Compress answers zstd, its first choice.
ENCODING = "Accept-Encoding: gzip, deflate, br, zstd"
# A phone with the app installed, whose service worker holds the stylesheet (static/js/pwa.js sets it):
# nearly every page request. A first visit's page carries the stylesheet inline instead (web.py);
# `bench weight` and `bench paint` measure that one.
INSTALLED = f"{INSTALLED_COOKIE}=1"


def wrk_path():
    """wrk from PATH, else installed with apt-get (root), like scripts/chromium.sh does for Chromium."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed for `python -m bench pages`: apt-get install wrk")
    return found


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, seconds, cookie=None, server=None):
    """One wrk run: requests/s, p90 and p99 in ms, and (given the server's base URL) the server's CPU
    ms per request; refuses figures that include errors or redirects."""
    command = [wrk_path(), "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    command += ["-H", ENCODING, "-H", f"User-Agent: {AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    cpu_before = server_cpu(server) if server else 0
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    cpu = server_cpu(server) - cpu_before if server else 0
    if "Non-2xx" in out:  # a 4xx/5xx page would be measured instead of the page
        raise RuntimeError(f"wrk saw error answers on {url}:\n{out}")
    # Connections the loaded server dropped or let time out are counted, and shown with the figures.
    errors = sum(map(int, re.findall(r"(?:connect|read|write|timeout) (\d+)", out)))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)", out, re.M))

    def percentile(p):
        value, unit = re.fullmatch(r"([\d.]+)(\w+)", latency[p]).groups()
        return _ms(value, unit)

    figures = {"rps": rps, "p90_ms": percentile("90"), "p99_ms": percentile("99"), "socket_errors": errors}
    if server:
        # What a request costs the server, whatever else the machine is doing (the ratio is not).
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        figures["cpu_ms"] = cpu * 1000 / max(requests, 1)
    return figures


def _check(url, cookie):
    """The page answers 200 to this session (a redirect to the login page would measure the wrong thing)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": AGENT})
    with urllib.request.urlopen(request) as response:
        if response.status != 200 or "/login" in response.url:
            raise RuntimeError(f"{url} did not answer 200 to a signed-in user")


def median_of(runs):
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def measure(rounds=3, seconds=5, against=None):
    """Medians of `rounds` interleaved rounds of `seconds` each: the bare route, then every page (and every
    page of the checkout `against`, named "<page>@before", for a before/after in one run)."""
    with ExitStack() as stack:
        bare = stack.enter_context(gunicorn("bench.bare_app:app"))
        targets = {"bare": (bare + "/", None, bare)}
        servers = [("", ROOT)] + ([("@before", Path(against).resolve())] if against else [])
        for suffix, root in servers:
            path, ksm = stack.enter_context(demo_file())
            base = stack.enter_context(serve_demo(path, root))
            cookies = {user: f"{sign_in(base, user)}; {INSTALLED}" for user in {p[1] for p in PAGES}}
            for name, user, page in PAGES:
                targets[name + suffix] = (base + page.format(ksm=ksm), cookies[user], base)
            if not suffix:  # every page rendered for every request: a server that remembers none
                fresh = stack.enter_context(serve_demo(path, root, env={"KOTAKU_PAGE_MEMORY": "0"}))
                cookies = {user: f"{sign_in(fresh, user)}; {INSTALLED}" for user in {p[1] for p in PAGES}}
                for name, user, page in PAGES:
                    targets[f"{name}_rendered"] = (fresh + page.format(ksm=ksm), cookies[user], fresh)
        for url, cookie, _ in targets.values():
            if cookie:
                _check(url, cookie)
            wrk(url, 1, cookie)  # warm-up: imports, templates, SQLite's page cache
        runs = {name: [] for name in targets}
        for _ in range(rounds):
            for name, (url, cookie, server) in targets.items():
                runs[name].append(wrk(url, seconds, cookie, server))
    figures = {name: median_of(r) for name, r in runs.items()}
    for name in figures:
        if name != "bare":
            figures[name]["ratio"] = figures[name]["rps"] / figures["bare"]["rps"]
    return figures


def report(figures, rounds, seconds):
    print(f"pages: wrk, {CLIENTS} connections, median of {rounds} rounds of {seconds} s, gunicorn.conf.py")
    heads = ("req/s", "p90 ms", "p99 ms", "ratio", "sock.err", "CPU ms")
    print(f"  {'page':26s} " + " ".join(f"{h:>8s}" for h in heads))
    for name, f in figures.items():
        ratio = f"{f['ratio']:.2f}" if "ratio" in f else "1"
        line = f"{f['rps']:8.0f} {f['p90_ms']:8.1f} {f['p99_ms']:8.1f} {ratio:>7s} {f['socket_errors']:8.0f}"
        print(f"  {name:26s} {line} {f['cpu_ms']:8.2f}")
    print("  budget: ratio ≥ 0.25 of the bare route, p90 ≤ 100 ms; CPU ms: the server's, per request")


def main(quick=False, against=None):
    rounds, seconds = (1, 3) if quick else (3, 5)
    figures = measure(rounds, seconds, against)
    report(figures, rounds, seconds)
    return figures
