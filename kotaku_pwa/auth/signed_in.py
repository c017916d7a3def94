"""The signed-in user of a request (Flask-Login's `current_user`): the user's columns that pages and the
sync read, as a plain value rather than a `User` row.

Every page and every sync reads the signed-in user first; building it as an ORM object cost more than
the sign-in's whole statement (issue 14). What is not kept here comes from the `User` row itself,
loaded on first use within the request: `record` (a password change, the sign-in of a new session),
`kota` (the supervisor's home page), `check_password`.
"""

from .. import db
from ..models import Kota, SessionUser, User

# The columns of `user` a SignedIn holds, in the order SIGNED_IN (auth/__init__.py) selects them.
SIGNED_IN_COLUMNS = ("id", "username", "full_name", "role", "active", "kota_id", "ksm_id")


class SignedIn(SessionUser):
    def __init__(self, *columns):
        for name, value in zip(SIGNED_IN_COLUMNS, columns, strict=True):
            setattr(self, name, value)
        self._record = None

    def __repr__(self):
        return f"<SignedIn {self.username} ({self.role})>"

    @property
    def record(self) -> User:
        """The user's row, for what writes to it or reads beyond these columns."""
        if self._record is None:
            self._record = db.session.get(User, self.id)
        return self._record

    @property
    def kota(self) -> Kota | None:
        return db.session.get(Kota, self.kota_id) if self.kota_id else None

    def check_password(self, password):
        return self.record.check_password(password)
