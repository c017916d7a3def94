"""Issue 14.4: static files under fingerprinted URLs, cached for a year, compressed once; pages compressed
with the cheapest encoding the browser accepts."""

import base64
import gzip
import hashlib
import re
from pathlib import Path

import brotli
from flask import url_for
from flask_compress.compat import compression

from kotaku_pwa import ROOT

APP_CSS = (Path(ROOT) / "static" / "css" / "app.css").read_bytes()


def _get(client, url, **headers):
    """A static answer, read and closed (an uncompressed one is an open file until then)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def _css_url(app):
    with app.test_request_context():
        return url_for("static", filename="css/app.css")


def test_static_urls_carry_the_files_fingerprint(app):
    url = _css_url(app)
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{10}", url)


def test_a_fingerprinted_file_is_kept_for_a_year(app, client):
    response = _get(client, _css_url(app))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_old_or_missing_fingerprint_is_not_kept_for_a_year(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000"):
        response = _get(client, url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_static_files_are_sent_compressed_with_what_the_browser_accepts(app, client):
    url = _css_url(app)
    br = _get(client, url, **{"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == APP_CSS
    assert len(br.data) < len(APP_CSS) / 2
    gz = _get(client, url, **{"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data) == APP_CSS
    plain = _get(client, url)
    assert "Content-Encoding" not in plain.headers and plain.data == APP_CSS
    assert "Accept-Encoding" in br.headers["Vary"]


def test_compressed_static_body_has_its_own_etag(app, client):
    url = _css_url(app)
    plain = _get(client, url).headers["ETag"]
    br = _get(client, url, **{"Accept-Encoding": "br"}).headers["ETag"]
    assert br != plain and br.endswith('-br"')


def test_service_worker_precaches_the_urls_the_pages_use(demo, client, auth):
    """The precache list and the pages name the same fingerprinted URLs (offline, a page finds them)."""
    auth.login("bendahara")
    page = client.get("/").get_data(as_text=True)
    worker = client.get("/sw.js").get_data(as_text=True)
    used = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page))
    assert used and all("?v=" in url for url in used)
    for url in used:
        if url.endswith((".js", ".css")):
            assert url.replace("&amp;", "&") in worker


def test_pages_are_sent_compressed_with_what_the_browser_accepts(demo, client, auth):
    """Chromium accepts zstd, which costs the least CPU (bench compression); brotli for the browsers
    without it (Safari); the same page either way."""
    auth.login("bendahara")

    def page(encoding):
        response = client.get("/", headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        return response

    chromium, safari, plain = page("gzip, deflate, br, zstd"), page("gzip, deflate, br"), page("")
    assert chromium.headers["Content-Encoding"] == "zstd"
    assert safari.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in plain.headers

    def without_token(html):  # each answer carries a fresh form token
        return re.sub(rb'name="csrf_token" value="[^"]+"', b"", html)

    assert without_token(compression.zstd.decompress(chromium.data)) == without_token(plain.data)
    assert without_token(brotli.decompress(safari.data)) == without_token(plain.data)
    assert len(chromium.data) < len(plain.data) / 2


def test_a_first_visit_carries_the_stylesheet_inline_under_the_csp(demo, client, auth):
    """No service worker holds the stylesheet yet: the page paints after one round trip, not two."""
    auth.login("bendahara")
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert f"<style>{APP_CSS.decode()}</style>" in page
    assert "css/app.css" not in page
    digest = base64.b64encode(hashlib.sha256(APP_CSS).digest()).decode()
    style_src = re.search(r"style-src ([^;]+)", response.headers["Content-Security-Policy"]).group(1)
    assert style_src.split() == ["'self'", f"'sha256-{digest}'"]


def test_once_installed_pages_link_the_stylesheet_the_service_worker_holds(app, demo, client, auth):
    auth.login("bendahara")
    client.set_cookie("kotaku_app", "1")  # static/js/pwa.js, once the service worker is active
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="stylesheet" href="{_css_url(app)}">' in page
    assert "<style" not in page
