"""Bytes of a typical signature as the payment sheet sends it, before and after issue 14 (docs/offline.md,
"Upload size on 3G"): the pad as canvas.toDataURL writes it (32-bit PNG of the whole 320×160 pad) and
as static/js/signature.js writes it (the strokes' box, 1 bit a pixel).

    CHROMIUM_PATH=/usr/bin/chromium .venv/bin/python scripts/signature_size.py
"""

import base64
import io
import math
import os
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE = """<!doctype html><body style="margin:0">
<canvas id="pad" width="320" height="160" style="width:320px;height:160px;touch-action:none"></canvas>
<script src="{static}/vendor/signature_pad-5.1.4/signature_pad.umd.min.js"></script>
<script src="{static}/js/signature.js"></script>
<script>
window.pad = new SignaturePad(document.getElementById("pad"), {{ backgroundColor: "rgb(255,255,255)" }});
</script>"""


def strokes():
    """A cursive name: loops along a baseline, a flourish under it, a dot."""
    yield [
        (30 + t * 2.2 + 14 * math.cos(t / 4), 80 - 26 * abs(math.sin(t / 8)) + 12 * math.sin(t / 4))
        for t in range(0, 100, 2)
    ]
    yield [(40 + t * 2.4, 118 + 8 * math.sin(t / 12) - t * 0.1) for t in range(0, 100, 3)]
    yield [(262, 52), (263, 53)]


def main():
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        html = Path(folder) / "pad.html"
        html.write_text(PAGE.format(static=STATIC.as_uri()))
        path = os.environ.get("CHROMIUM_PATH")
        browser = p.chromium.launch(executable_path=path or None, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 360, "height": 400})
        page.goto(html.as_uri())
        for stroke in strokes():
            page.mouse.move(*stroke[0])
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(x, y, steps=2)
            page.mouse.up()
        before = page.evaluate("pad.toDataURL('image/png')")
        after = page.evaluate("SignaturePng.png(document.getElementById('pad'))")
        browser.close()
    for label, url in (("before (toDataURL)", before), ("after (signature.js)", after)):
        data = base64.b64decode(url.split(",", 1)[1])
        image = Image.open(io.BytesIO(data))
        print(f"{label:21} {len(data):6} bytes, {len(url):6} chars as a data URL,", image.size, image.mode)


if __name__ == "__main__":
    main()
