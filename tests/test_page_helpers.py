"""The template helpers a page leans on (kotaku_pwa/web.py, issue 14): URLs remembered per process give
the same URLs Flask builds, and what they cannot remember is still built."""

from flask import render_template_string, url_for


def render(app, source, path="/", **context):
    with app.test_request_context(path):
        return render_template_string(source, **context)


def test_remembered_urls_are_the_urls_flask_builds(app):
    with app.test_request_context("/"):
        wanted = [
            url_for("attendance.day", ksm_id=7, day="2021-05-03"),
            url_for("attendance.day", ksm_id=8, day="2021-05-03"),
            url_for("static", filename="js/outbox.js"),
        ]
    source = (
        "{{ url_for('attendance.day', ksm_id=k, day=d) }}|{{ url_for('attendance.day', day=d, ksm_id=8) }}"
        "|{{ url_for('static', filename='js/outbox.js') }}"
    )
    for _ in range(2):  # built, then remembered
        assert render(app, source, k=7, d="2021-05-03").split("|") == wanted
    assert "?v=" in wanted[2]  # the static fingerprint is part of what is remembered


def test_urls_of_another_mount_point_are_not_mixed_up(app):
    source = "{{ url_for('home.index') }}"
    assert render(app, source) == "/"
    with app.test_request_context("/", base_url="http://localhost/kotaku/"):
        assert url_for("home.index") == "/kotaku/"
        assert render_template_string(source) == "/kotaku/"
    assert render(app, source) == "/"


def test_what_cannot_be_remembered_is_built_each_time(app):
    with app.test_request_context("/"):
        external = url_for("home.index", _external=True)
        listed = url_for("home.index", tags=["a", "b"])
    assert render(app, "{{ url_for('home.index', _external=True) }}") == external
    # A list cannot be a key of the memo: built each time all the same.
    assert render(app, "{{ url_for('home.index', tags=t)|safe }}", t=["a", "b"]) == listed


def test_a_relative_endpoint_is_the_current_blueprints_each_time(app):
    source = "{{ url_for('.index') }}"
    assert render(app, source, path="/attendance/") == "/attendance/"
    assert render(app, source, path="/payments/") == "/payments/"
    assert render(app, source, path="/attendance/") == "/attendance/"
