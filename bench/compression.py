"""Compression levels, measured: bytes and CPU time per response for each brotli, gzip and zstd level on
the field pages' HTML, so the levels in kotaku_pwa/__init__.py (COMPRESS_*_LEVEL) are chosen by
figures. Static files are compressed once, at the highest level (kotaku_pwa/pwa/static_files.py).
"""

import gzip
import statistics
import tempfile
import time
from pathlib import Path

import brotli
from flask_compress.compat import compression

from kotaku_pwa import create_app, db
from kotaku_pwa.demo import load_demo
from kotaku_pwa.models import User
from kotaku_pwa.web import INSTALLED_COOKIE

from .server import signed_in_client

PAGES = ["/", "/attendance/{ksm}/2021-05-03", "/payments/{ksm}/2021-04-15"]
LEVELS = {
    "br": ([0, 1, 2, 4, 5, 6, 9, 11], lambda data, level: brotli.compress(data, quality=level)),
    "gzip": ([1, 4, 6, 9], lambda data, level: gzip.compress(data, compresslevel=level, mtime=0)),
}
# zstd: what Chromium sends first ("gzip, deflate, br, zstd"), through the module Flask-Compress uses.
LEVELS["zstd"] = ([1, 2, 3, 6, 9], lambda data, level: compression.zstd.compress(data, level))


def page_bodies():
    """The uncompressed HTML of the field pages, as the treasurer gets them."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'c.db'}", "SECRET_KEY": "c"})
        with app.app_context():
            db.create_all()
            load_demo()
            ksm = db.session.scalar(db.select(User.ksm_id).where(User.username == "bendahara"))
        client = signed_in_client(app, "bendahara")
        client.set_cookie(INSTALLED_COOKIE, "1")  # an installed app's pages: the stylesheet is not inline
        bodies = [client.get(page.format(ksm=ksm)).data for page in PAGES]
        with app.app_context():
            db.engine.dispose()
    return bodies


def cost(function, data, level, repeat):
    """Median µs of one compression, and its bytes."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        out = function(data, level)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e6, len(out)


def main(quick=False):
    bodies = page_bodies()
    repeat = 20 if quick else 100
    raw = sum(len(b) for b in bodies)
    print(
        f"compression of the field pages' HTML ({raw / 1024:.1f} KB, {len(bodies)} pages), median of {repeat}"
    )
    figures = {}
    for name, (levels, function) in LEVELS.items():
        for level in levels:
            micros, size = map(sum, zip(*(cost(function, b, level, repeat) for b in bodies), strict=True))
            micros, size = micros / len(bodies), size / len(bodies)
            figures[f"{name}_{level}"] = {"us_per_page": micros, "bytes_per_page": size}
            print(f"  {name:5s} level {level:2d}: {micros:7.0f} µs/page  {size:7.0f} B/page")
    return figures
