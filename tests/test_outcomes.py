"""The field learns the supervisor's decision on its records kept as conflicts (issue 9 item 5)."""

from kotaku_pwa import db
from kotaku_pwa.models import Conflict
from tests.factories import new_uuid
from tests.test_conflicts import as_faskel, one_conflict, same_day  # noqa: F401
from tests.test_sync import sign_in


def ask(auth, uuids):
    return auth.client.post("/api/outcomes", json={"uuids": uuids}, headers={"X-CSRFToken": auth.token()})


def test_open_then_decided_with_the_reason(same_day, auth):  # noqa: F811
    record, _, conflict_id = same_day
    sign_in(auth, "faskel")
    [open_] = ask(auth, [record["uuid"], new_uuid()]).get_json()["outcomes"]
    assert (open_["uuid"], open_["status"], open_["reason"], open_["decided_at"]) == (
        record["uuid"],
        "open",
        None,
        None,
    )
    assert open_["conflict_id"] == conflict_id
    auth.logout()
    sign_in(auth, "askot")
    auth.client.post(
        f"/conflicts/{conflict_id}/resolve",
        data={"keep": "existing", "reason": "Buku KSM: tidak hadir.", "csrf_token": auth.token()},
    )
    auth.logout()
    sign_in(auth, "faskel")
    response = ask(auth, [record["uuid"]])
    assert response.headers["Cache-Control"] == "no-store"
    [decided] = response.get_json()["outcomes"]
    assert (decided["status"], decided["reason"]) == ("kept_existing", "Buku KSM: tidak hadir.")
    assert decided["decided_at"].endswith("+00:00") and "WITA" in decided["decided_at_text"]


def test_only_the_users_own_records(same_day, auth):  # noqa: F811
    record, _, _ = same_day
    sign_in(auth, "bendahara")  # same KSM, but not who sent it
    assert ask(auth, [record["uuid"]]).get_json()["outcomes"] == []


def test_bad_questions_are_refused(same_day, auth):  # noqa: F811
    sign_in(auth, "faskel")
    for body in ({"uuids": "x"}, {"uuids": ["not-a-uuid"]}, {"uuids": [new_uuid()] * 501}, []):
        response = auth.client.post("/api/outcomes", json=body, headers={"X-CSRFToken": auth.token()})
        assert response.status_code == 400
    assert auth.client.post("/api/outcomes", json={"uuids": []}).status_code == 400  # no CSRF token
    auth.logout()
    assert auth.client.post("/api/outcomes", json={"uuids": []}).status_code == 401


def test_conflict_rows_unchanged_by_asking(same_day, auth):  # noqa: F811
    record, _, _ = same_day
    sign_in(auth, "faskel")
    ask(auth, [record["uuid"]])
    assert one_conflict(record["uuid"]).status == "open"
    assert db.session.scalar(db.select(db.func.count(Conflict.id))) == 1
