"""Issue 14: what a field page costs in SQL statements.

Counted with SQLAlchemy's `before_cursor_execute` event around one request of a signed-in user; the
figure to beat was 5 to 10 (session row, user, scope, lazy loads of the KSM's relations). Three: the
session with its user and scope; the KSM with its place and the verification state of the day's
period (access.get_ksm_and_state); the page's rows. A home page: the session, the user's KSMs (or
kelurahan with their KSMs), the periods returned to them.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from kotaku_pwa import db
from kotaku_pwa.models import Ksm, User

BUDGET = 3


@pytest.fixture
def rendered(app):
    """Every page rendered, none remembered (remembered_pages.py): what a page costs after a change."""
    pages = app.extensions["remembered_pages"]
    size, pages.size = pages.size, 0
    yield
    pages.size = size


@contextmanager
def listening(name, remember):
    """What the engine's event `name` reports while inside, as `remember(*event arguments)` returns
    it (None: nothing)."""
    seen = []

    def listener(*arguments):
        value = remember(*arguments)
        if value is not None:
            seen.append(value)

    event.listen(db.engine, name, listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, name, listener)


def _query(conn, cursor, statement, parameters, context, executemany):
    # Transaction control (BEGIN of database.py) is not a query.
    return statement if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK") else None


def counted():
    """The SQL of the queries run while inside."""
    return listening("before_cursor_execute", _query)


def _pages(ksm_id):
    return {
        "attendance day": f"/attendance/{ksm_id}/2021-05-03",
        "wage list": f"/payments/{ksm_id}/2021-04-15",
        "worker form": f"/workers/new?ksm_id={ksm_id}",
        "home": "/",
    }


# The worker form belongs to the facilitator (the treasurer gets 403, a statement or two).
FIELD_PAGES = [
    (user, page)
    for user in ("bendahara", "faskel")
    for page in ("attendance day", "wage list", "worker form", "home")
    if (user, page) != ("bendahara", "worker form")
]


@pytest.mark.parametrize(("username", "page"), FIELD_PAGES)
def test_field_page_costs_at_most_its_budget_of_statements(demo, rendered, client, auth, username, page):
    auth.login(username)
    ksm_id = db.session.scalar(db.select(User.ksm_id).where(User.username == "bendahara"))
    url = _pages(ksm_id)[page]
    client.get(url)  # the first request may write the session's last-seen time
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= BUDGET, "\n\n".join(statements)


def test_counter_sees_the_statements_of_a_request(demo, client, auth):
    """The counter itself: a page of the demo KSM is not free."""
    auth.login("bendahara")
    ksm = db.session.scalars(db.select(Ksm)).first()
    with counted() as statements:
        client.get(f"/attendance/{ksm.id}/2021-05-03")
    assert len(statements) >= 1


def statements_run():
    """The statement objects (not their SQL) run while inside, kept alive so that none is mistaken
    for a later one built at the same address."""
    return listening("before_execute", lambda conn, statement, *_: statement)


# Field pages: their statements come from access.py's per-scope queries and statements built once.
BUILT_ONCE = [
    ("bendahara", "attendance day"),
    ("bendahara", "wage list"),
    ("bendahara", "home"),
    ("faskel", "home"),
    ("faskel", "worker form"),
]


@pytest.mark.parametrize(("username", "page"), BUILT_ONCE)
def test_a_field_page_builds_no_statement_per_request(demo, rendered, client, auth, username, page):
    """Building a statement cost more than running it (issue 14): the next request of the same user
    runs the very statements of the one before, built once."""
    auth.login(username)
    ksm_id = db.session.scalar(db.select(User.ksm_id).where(User.username == "bendahara"))
    url = _pages(ksm_id)[page]
    client.get(url)  # the first request may write the session's last-seen time
    with statements_run() as first:
        assert client.get(url).status_code == 200
    with statements_run() as second:
        assert client.get(url).status_code == 200
    assert len(first) == len(second) >= 2
    assert all(a is b for a, b in zip(first, second, strict=True)), [str(s) for s in second]
