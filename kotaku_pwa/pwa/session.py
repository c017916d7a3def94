"""Who a page is for, and a sign-out made on a phone without signal.

A shared phone must never show one user's pages to the next. Every page says whose it is in the
`Kotaku-User` header (a user id, or "none"), and the service worker keeps pages only in that user's
cache. Signing out offline cannot reach the server, and the session cookie is HttpOnly, so the phone
sets the `kotaku_signed_out` cookie instead: the first request that carries it ends that session on
the server, and from then on the old cookie is refused.
"""

from flask import flash, g, request
from flask_login import current_user, logout_user

from .. import db
from ..models import UserSession
from . import bp

SIGNED_OUT_COOKIE = "kotaku_signed_out"  # set by static/js/pwa.js on sign-out
USER_HEADER = "Kotaku-User"  # read by templates/pwa/sw.js


@bp.before_app_request
def end_session_signed_out_on_the_phone():
    """End the session of a phone whose user signed out while it had no signal."""
    if SIGNED_OUT_COOKIE not in request.cookies:
        return
    g.signed_out_on_phone = True
    if current_user.is_authenticated:
        db.session.execute(db.delete(UserSession).where(UserSession.token == current_user.session_token))
        db.session.commit()
        # The form token is kept: requests already under way must not race to replace it, and the
        # next sign-in replaces it anyway (auth/routes.py, _start_session).
        logout_user()
        flash("Anda sudah keluar. Data yang belum terkirim tetap tersimpan di HP ini.", "info")


@bp.after_app_request
def say_whose_page(response):
    """Name the user a page was made for; forget the phone's sign-out mark once it has been acted on."""
    if g.get("signed_out_on_phone"):
        response.delete_cookie(SIGNED_OUT_COOKIE, path="/", samesite="Strict")
    if response.mimetype == "text/html":
        response.headers[USER_HEADER] = str(current_user.id) if current_user.is_authenticated else "none"
    return response
