"""The app starts, answers and signs the demo accounts in; its secret key comes from config or instance/."""

import pytest

import kotaku_pwa
from kotaku_pwa import create_app

from .conftest import TEST_CONFIG


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_demo_login_and_home(demo, client, auth):
    for username in ("faskel", "bendahara", "askot", "admin"):
        response = auth.login(username)
        assert response.status_code == 302, username
        page = client.get("/")
        assert page.status_code == 200
        assert b"Halo" in page.data
        auth.logout()


def test_app_with_a_configured_key_writes_no_key_into_the_checkout(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    checkout_key = kotaku_pwa.ROOT / "instance" / "secret_key"
    existed = checkout_key.exists()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.secret_key == "test-secret"
    assert checkout_key.exists() == existed


@pytest.mark.parametrize("configured", [True, False])
def test_instance_key_is_written_only_when_none_is_configured(monkeypatch, tmp_path, configured):
    # A checkout of its own (tmp_path), so that the file's absence before create_app is known.
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(kotaku_pwa, "ROOT", tmp_path)
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    app = create_app({**config, "SECRET_KEY": "test-secret"} if configured else config)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists() is not configured
    assert app.secret_key == ("test-secret" if configured else key_file.read_text().strip())
