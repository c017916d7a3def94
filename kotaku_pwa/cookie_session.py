"""Flask's signed session cookie, each cookie checked and decoded once per process (issue 14).

A phone sends the same session cookie with every request until the session changes. Checking its
signature (an HMAC) and decoding it cost about 0.1 ms on every page, 5 % of the attendance day under
load. A cookie that checked out once is remembered with what it holds and when it was signed; its age
is still checked on every request against the session lifetime, as Flask does. Only sessions of plain
values are remembered (the signed-in user's ids, the form token): one holding a list (flashed messages)
is decoded each time, so no request can change what another one reads.
"""

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

KEPT = 4096  # cookies a process remembers: one per signed-in device it serves, about 1 KB each
PLAIN = (str, int, float, bool, type(None))


class RememberedCookieSession(SecureCookieSessionInterface):
    def __init__(self):
        self.kept = {}  # cookie -> (its contents, when it was signed)

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        kept = self.kept.get(cookie) if cookie else None
        if kept is None:
            return self._open(app, cookie)
        contents, signed_at = kept
        if time.time() - signed_at > app.permanent_session_lifetime.total_seconds():
            return self.session_class()  # too old, as Flask's own check says
        return self.session_class(contents)

    def _open(self, app, cookie):
        """Flask's open_session, which also remembers a cookie that checks out."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            contents, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, PLAIN) for value in contents.values()):
            if len(self.kept) >= KEPT:
                self.kept.clear()
            self.kept[cookie] = (contents, signed_at.timestamp())
        return self.session_class(contents)
