"""Instructions per request of each page of `bench pages` and of the bare route, counted by valgrind's
callgrind: the same figure from run to run whatever else the machine does, where requests/s and CPU ms
on a shared virtual machine move by ±20 % between two runs of the same code. One request at a time in
one process (Flask's test client), so it measures the code's own cost, not gunicorn nor contention:
the figure to compare a change against, beside `bench pages`' figures under load. Each page is counted
as the server remembers it (kotaku_pwa/remembered_pages.py) and as `<page>_rendered`, rendered afresh.

A child process (`python -m bench.instructions child`) runs under callgrind with counting off; for each
page this process switches counting on (`callgrind_control -i on`), lets the child send its requests,
switches it off and has callgrind write what it counted.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kotaku_pwa.web import INSTALLED_COOKIE

from .pages import PAGES
from .server import AGENT, ROOT, SECRET, demo_database, signed_in_client

REQUESTS = 20
WARM_UP = 10  # requests before counting: templates compiled, statements cached, pages of SQLite read


def valgrind():
    """valgrind from PATH, else installed with apt-get (root), as wrk is."""
    if not shutil.which("valgrind") and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "valgrind"], check=False, capture_output=True)
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        raise SystemExit("valgrind is needed for `python -m bench instructions`: apt-get install valgrind")
    return shutil.which("valgrind")


def measure(requests=REQUESTS):
    """{page: million instructions per request} for PAGES and "bare"."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [valgrind(), "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        command += [sys.executable, "-m", "bench.instructions", "child", f"{tmp}/bench.db", str(requests)]
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL}
        child = subprocess.Popen(command, cwd=ROOT, text=True, **pipes)
        figures = {}
        try:
            for line in child.stdout:  # "ready <page>" when its warm-up is done
                name = line.split()[1]
                _control(child, "-i", "on")
                child.stdin.write("go\n")
                child.stdin.flush()
                if child.stdout.readline().strip() != "done":
                    raise RuntimeError(f"the child stopped on {name}")
                _control(child, "-i", "off")
                _control(child, f"--dump={name}")
                figures[name] = _counted(Path(tmp)) / requests / 1e6
        finally:
            child.stdin.close()
            child.wait(timeout=120)
    if child.returncode:
        raise RuntimeError(f"the counted child exited with {child.returncode}")
    return figures


def _control(child, *options):
    subprocess.run(["callgrind_control", *options, str(child.pid)], check=True, capture_output=True)


def _counted(folder):
    """The instructions of the newest dump (each dump holds what was counted since the one before)."""
    newest = max(folder.glob("callgrind.out.*"), key=os.path.getmtime)
    return int(re.search(r"^totals:\s+(\d+)", newest.read_text(), re.M).group(1))


def child(path, requests):
    """Under callgrind: each page's warm-up, then its counted requests when told to go."""
    ksm = demo_database(path)
    os.environ.update(DATABASE_URL=f"sqlite:///{path}", SECRET_KEY=SECRET)
    from app import app

    from .bare_app import app as bare

    headers = {"User-Agent": AGENT, "Accept-Encoding": "gzip, deflate, br, zstd"}
    targets = [("bare", bare.test_client(), "/", 0)]
    clients = {}
    pages = app.extensions["remembered_pages"]
    for name, user, page in PAGES:
        if user not in clients:
            clients[user] = signed_in_client(app, user, headers=headers)
            clients[user].set_cookie(INSTALLED_COOKIE, "1")  # an installed app: the page links its stylesheet
        targets.append((name, clients[user], page.format(ksm=ksm), pages.size))
    # Each page again, rendered for every request (what it costs after a write changed it).
    targets += [(f"{name}_rendered", client, url, 0) for name, client, url, _ in targets[1:]]
    for name, client, url, remembered in targets:
        pages.size = remembered
        for _ in range(WARM_UP):
            if client.get(url, headers=headers).status_code != 200:
                raise RuntimeError(f"{url} did not answer 200")
        print("ready", name, flush=True)
        sys.stdin.readline()
        for _ in range(requests):
            client.get(url, headers=headers)
        print("done", flush=True)


def main(quick=False):
    figures = measure(5 if quick else REQUESTS)
    print("instructions per request (callgrind, one request at a time, Flask's test client):")
    bare = figures["bare"]
    for name, value in figures.items():
        print(f"  {name:26s} {value:7.2f} M   {value / bare:5.1f} × the bare route")
    return figures


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child(Path(sys.argv[2]), int(sys.argv[3]))
