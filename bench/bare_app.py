"""The yardstick of `python -m bench pages`: a bare Flask route, served by the same gunicorn set-up."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    """A small HTML page, no database, no session: the framework's own cost per request."""
    return "<!doctype html><title>bare</title><p>Halo</p>"
