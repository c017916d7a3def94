"""A sign-out made on a phone without signal, and whose pages the server says a page is (issue 11,
finding 1; the browser side is tests/browser/test_shared_phone.py)."""

from kotaku_pwa import db
from kotaku_pwa.models import User, UserSession
from kotaku_pwa.pwa.session import SIGNED_OUT_COOKIE, USER_HEADER


def _sessions(username):
    query = db.select(db.func.count()).select_from(UserSession).join(User).where(User.username == username)
    return db.session.scalar(query)


def test_the_first_request_with_the_phones_sign_out_mark_ends_the_session(demo, client, auth):
    auth.login("faskel")
    old_cookie = client.get_cookie("session").value
    client.set_cookie(SIGNED_OUT_COOKIE, "1")
    response = client.get("/api/ping")  # any request: the outbox's probe is often the first one
    assert response.status_code == 200
    assert _sessions("faskel") == 0
    assert client.get_cookie(SIGNED_OUT_COOKIE) is None  # acted on once, then forgotten
    assert client.get("/api/reference").status_code == 401
    # The cookie the browser still held when the phone was offline is refused from now on.
    client.set_cookie("session", old_cookie)
    assert client.get("/api/reference").status_code == 401
    assert client.get("/").status_code == 302


def test_the_sign_in_page_after_the_mark_says_so_and_signing_in_again_works(demo, client, auth):
    auth.login("faskel")
    client.set_cookie(SIGNED_OUT_COOKIE, "1")
    page = client.get("/login")
    assert page.status_code == 200 and "Anda sudah keluar" in page.get_data(as_text=True)
    assert auth.login("bendahara").status_code == 302
    assert _sessions("bendahara") == 1 and _sessions("faskel") == 0
    assert client.get("/api/reference").get_json()["user"]["username"] == "bendahara"


def test_without_the_mark_nothing_is_ended(demo, client, auth):
    auth.login("faskel")
    assert client.get("/api/ping").status_code == 200
    assert client.get("/api/reference").status_code == 200
    assert _sessions("faskel") == 1


def test_every_page_names_its_user_for_the_service_worker(demo, client, auth):
    assert client.get("/login").headers[USER_HEADER] == "none"
    assert client.get("/offline").headers[USER_HEADER] == "none"
    auth.login("faskel")
    faskel = db.session.execute(db.select(User.id).filter_by(username="faskel")).scalar_one()
    for url in ("/", "/outbox", "/offline"):
        assert client.get(url).headers[USER_HEADER] == str(faskel), url
    assert USER_HEADER not in client.get("/api/reference").headers  # JSON is never a cached page
