"""Issue 14: the signed-in user of a request is a plain value (auth/signed_in.py), read with the
session row in one statement; what needs the User row loads it. And the sign-out form's CSRF token is
signed once per session (web.py), not on every page."""

import re

from itsdangerous import TimestampSigner

from kotaku_pwa import db
from kotaku_pwa.auth import load_user
from kotaku_pwa.auth.signed_in import SignedIn
from kotaku_pwa.models import Kelurahan, User, UserSession
from tests.test_sync import attendance, demo_worker, ksm, send_one, sign_in


def _token(username):
    user = db.session.execute(db.select(User).where(User.username == username)).scalar_one()
    return db.session.scalars(db.select(UserSession.token).where(UserSession.user_id == user.id)).first()


def test_the_signed_in_user_is_read_without_building_a_user_row(demo, auth, app):
    sign_in(auth, "faskel")
    token = _token("faskel")
    db.session.expunge_all()
    with app.test_request_context("/"):
        user = load_user(token)
        assert isinstance(user, SignedIn)
        assert not any(isinstance(row, User) for row in db.session.identity_map.values())
        assert (user.username, user.role, user.active, user.session_token) == (
            "faskel",
            "fasilitator",
            True,
            token,
        )
        assert user.is_authenticated and user.is_active and user.get_id() == token
        kelurahan = db.session.scalars(db.select(Kelurahan.id).join(Kelurahan.ksm).distinct()).all()
        faskel = db.session.execute(db.select(User).where(User.username == "faskel")).scalar_one()
        assert user.kelurahan_ids == {k.id for k in faskel.kelurahan}
        assert set(user.kelurahan_ids) <= set(kelurahan)
        assert user.record is faskel  # the row, once asked for, from the session's identity map


def test_a_signed_in_user_without_a_kota_has_none(demo, auth, app):
    sign_in(auth, "faskel")
    with app.test_request_context("/"):
        assert load_user(_token("faskel")).kota is None


def test_the_supervisors_home_names_their_kota(demo, auth):
    sign_in(auth, "askot")
    assert "Supervisor Mataram" in auth.client.get("/").get_data(as_text=True)


def test_a_sync_marks_when_the_user_last_synced(demo, auth):
    faskel = sign_in(auth, "faskel")
    assert db.session.scalar(db.select(User.last_sync_at).where(User.username == "faskel")) is None
    result = send_one(faskel, attendance(ksm().id, demo_worker().uuid, "2021-05-03"))
    assert result["status"] == "created"
    db.session.expire_all()
    assert db.session.scalar(db.select(User.last_sync_at).where(User.username == "faskel")) is not None


def test_a_password_change_writes_to_the_users_row(demo, auth):
    sign_in(auth, "faskel")
    response = auth.post(
        "/account/password",
        current="kotaku-demo",
        new="Sawah-Hijau-2021-x",
        repeat="Sawah-Hijau-2021-x",
    )
    assert response.status_code == 302
    db.session.expire_all()
    faskel = db.session.execute(db.select(User).where(User.username == "faskel")).scalar_one()
    assert faskel.check_password("Sawah-Hijau-2021-x")


def _sign_out_token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_pages_of_one_session_carry_one_sign_out_token_that_signs_out(demo, auth, monkeypatch):
    sign_in(auth, "faskel")
    first = _sign_out_token(auth.client.get("/").get_data(as_text=True))
    # A minute later: signed again, the token would carry the new time.
    later = TimestampSigner.get_timestamp(TimestampSigner("x")) + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert _sign_out_token(auth.client.get("/attendance/").get_data(as_text=True)) == first
    response = auth.client.post("/logout", data={"csrf_token": first})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert auth.client.get("/").status_code == 302  # signed out


def test_a_new_sign_in_gets_a_new_sign_out_token(demo, auth):
    sign_in(auth, "faskel")
    before = _sign_out_token(auth.client.get("/").get_data(as_text=True))
    auth.logout()
    sign_in(auth, "faskel")
    after = _sign_out_token(auth.client.get("/").get_data(as_text=True))
    assert after != before
    assert auth.client.post("/logout", data={"csrf_token": before}).status_code == 400  # the old session's
