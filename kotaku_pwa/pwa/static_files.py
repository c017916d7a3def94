"""Static files: fingerprinted URLs cached for a year, compressed once per process (issue 14).

`url_for("static", filename=...)` adds `v=<hash of the file>`: a changed file gets a new URL, so a
browser (and the service worker, whose precache list is built with url_for too) may keep each URL for
a year without asking again. The compressed body of each file is made once, at the highest level, and
kept in memory: a page's scripts cost no compression CPU per request.
"""

import gzip
import hashlib
from pathlib import Path

import brotli
from flask import request

YEAR = "public, max-age=31536000, immutable"
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml"}
# Preferred first; what the client accepts decides (Chromium sends "gzip, deflate, br, zstd").
ENCODERS = {
    "br": lambda data: brotli.compress(data, quality=11),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}


def init_app(app):
    """Fingerprint static URLs, and answer static files compressed once, with a year's caching."""
    fingerprints, compressed = {}, {}
    root = Path(app.static_folder)

    def fingerprint(filename):
        if filename not in fingerprints:
            path = root / filename
            fingerprints[filename] = (
                hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else None
            )
        return fingerprints[filename]

    @app.url_defaults
    def _version(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = fingerprint(values.get("filename", ""))
            if version:
                values["v"] = version

    @app.after_request
    def _static(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = request.view_args.get("filename", "")
        if request.args.get("v") and request.args["v"] == fingerprint(filename):
            response.headers["Cache-Control"] = YEAR
        if response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
            return response
        encoding = _accepted()
        if encoding:
            key = (filename, encoding)
            if key not in compressed:
                compressed[key] = ENCODERS[encoding]((root / filename).read_bytes())
            _send(response, compressed[key], encoding)
        response.vary.add("Accept-Encoding")
        return response


def _accepted():
    accepted = request.accept_encodings
    return next((name for name in ENCODERS if accepted[name]), None)


def _send(response, body, encoding):
    sent_file = response.response  # send_file's open file: closed, as the new body replaces it
    response.direct_passthrough = False
    response.set_data(body)
    if hasattr(sent_file, "close"):
        sent_file.close()
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:  # another body, another validator
        response.set_etag(f"{etag}-{encoding}", weak=weak)
