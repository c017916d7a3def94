"""The one gunicorn set-up: `make run`, `make serve` and tests/test_slow_clients.py all use it.

Threaded workers (gthread): a client that sends its request one byte a second holds one thread, not a
whole worker, so /healthz and everyone else still get answers. In production a buffering reverse proxy
(nginx, README "Produksi") sits in front as well and hands gunicorn only complete requests.
"""

import ipaddress
import os

bind = os.environ.get("KOTAKU_BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
# About 2 x CPU cores; each worker serves `threads` requests at once. 8, not 4: a client that sends its
# request slowly holds a thread while it does, and the kernel may hand several such connections to the
# same worker (reuse_port below). With 4 threads, four slow clients on one worker stalled it and
# /healthz timed out in 2 of 10 runs of tests/test_slow_clients.py (3 December); with 8, in none. 4
# threads cost 5-20 % less CPU a request on 2 cores (`bench pages`, 2 December): the reverse proxy in
# front buffers requests (README "Produksi"), but the server must not depend on it.
workers = int(os.environ.get("KOTAKU_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("KOTAKU_THREADS", "8"))
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over
# them. On one shared socket the worker that woke first took most of them: with a client's
# connections kept alive, 38 to all 50 of wrk's 50 landed on one of the two workers, which then served
# them on one core while the other idled (half the requests/s, issue 14). Not on a unix socket: there
# each worker would replace the one file of the one before, and only the last would get connections.
reuse_port = not bind.startswith("unix:")
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 30
keepalive = 5
# Requests bigger than these are refused before the app sees them.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"  # security events (logger kotaku.security) land here too


def when_ready(server):
    """Warn when demo accounts exist on a server that listens beyond this machine (issue 11, item 9)."""
    if all(_loopback(address) for address in server.cfg.address):
        return
    from kotaku_pwa import create_app, db
    from kotaku_pwa.cli import demo_warning

    app = create_app()
    with app.app_context():
        try:
            message = demo_warning()
        except Exception as error:  # no tables yet: `flask db upgrade` has not run
            message = None
            server.log.warning("Pemeriksaan akun demo gagal: %s", error)
        db.session.remove()  # the master process keeps no database connection
        db.engine.dispose()
    if message:
        server.log.warning(message)


def _loopback(address):
    if isinstance(address, str):  # a unix socket: only this machine (and its proxy) reach it
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
