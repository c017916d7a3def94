"""The bench's own arithmetic: wrk's output read right, and the change against the previous run."""

import subprocess

import pytest

from bench import __main__ as bench_main
from bench import pages

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:5000/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.10ms   12.00ms 200.00ms   70.00%
  Latency Distribution
     50%   38.00ms
     75%   45.00ms
     90%  850.00us
     99%    1.20s
  1000 requests in 5.00s, 2.00MB read
Requests/sec:    200.50
Transfer/sec:    400.00KB
"""


@pytest.fixture
def fake_wrk(monkeypatch):
    def run(output):
        monkeypatch.setattr(pages, "wrk_path", lambda: "wrk")
        result = subprocess.CompletedProcess([], 0, stdout=output, stderr="")
        monkeypatch.setattr(pages.subprocess, "run", lambda *a, **k: result)

    return run


def test_wrk_figures_are_read_in_milliseconds(fake_wrk):
    fake_wrk(WRK_OUTPUT)
    figures = {"rps": 200.5, "p90_ms": 0.85, "p99_ms": 1200.0, "socket_errors": 0}
    assert pages.wrk("http://x/", 5) == figures


def test_dropped_connections_are_counted(fake_wrk):
    fake_wrk(WRK_OUTPUT + "  Socket errors: connect 0, read 186, write 0, timeout 2\n")
    assert pages.wrk("http://x/", 5)["socket_errors"] == 188


def test_a_run_with_error_answers_gives_no_figures(fake_wrk):
    fake_wrk(WRK_OUTPUT + "  Non-2xx or 3xx responses: 12\n")
    with pytest.raises(RuntimeError):
        pages.wrk("http://x/", 5)


def test_the_change_against_the_previous_run():
    before = {"pages": {"home": {"rps": 100.0, "ratio": 0.1}}, "sync": {"ratio": 0.05}}
    now = {"pages": {"home": {"rps": 150.0, "ratio": 0.2}}, "weight": {"/": {"kb": 30.0}}}
    lines = bench_main.changes(before, now)
    assert len(lines) == 2
    assert "pages.home.rps" in lines[0] and "(+50 %)" in lines[0]
    assert "pages.home.ratio" in lines[1] and "(+100 %)" in lines[1]


def test_the_dashboard_bench_judges_wall_time_against_the_budgets():
    from bench import dashboard

    def run(dashboard_ms, xlsx_ms):
        pages = {"dashboard": {"wall": dashboard_ms, "cpu": 90}, "export.xlsx": {"wall": xlsx_ms, "cpu": 900}}
        return {"sqlite": {"720000": {"pages": pages}}, "postgresql": {}}

    assert not dashboard.over_budget(run(280, 5000))  # the XLSX has no budget
    assert dashboard.over_budget(run(310, 100))


def test_the_servers_cpu_per_request_is_read_from_its_process_group(fake_wrk, monkeypatch):
    """CPU ms per request = the CPU the server's processes used during the run / wrk's request count."""
    fake_wrk(WRK_OUTPUT)
    readings = iter([10.0, 12.5])  # seconds of CPU before and after the run
    monkeypatch.setattr(pages, "server_cpu", lambda base: next(readings))
    assert pages.wrk("http://x/", 5, server="http://x")["cpu_ms"] == 2.5  # 2.5 s / 1000 requests


def test_server_cpu_counts_a_running_process_group():
    """The reading from /proc: a busy process of the group makes the figure grow by its CPU time."""
    import sys
    import time

    from bench import server

    busy = "import time\nwhile True: pass"
    child = subprocess.Popen([sys.executable, "-c", busy], start_new_session=True)
    server.GROUPS["http://busy"] = child.pid
    try:
        before = server.server_cpu("http://busy")
        time.sleep(1.5)
        used = server.server_cpu("http://busy") - before
    finally:
        server.GROUPS.pop("http://busy")
        child.kill()
        child.wait()
    assert 0.2 < used < 1.6  # at most the time that passed; at least a share of one core


def test_instructions_are_read_from_the_newest_callgrind_dump(tmp_path):
    """Each dump holds what was counted since the one before: a page's figure is the newest one's."""
    import os

    from bench import instructions

    older, newer = tmp_path / "callgrind.out.1", tmp_path / "callgrind.out.2"
    older.write_text("events: Ir\nsummary: 0\ntotals: 999\n")
    newer.write_text("events: Ir\nsummary: 0\ntotals: 12345678\n")
    os.utime(older, (1, 1))
    assert instructions._counted(tmp_path) == 12345678
