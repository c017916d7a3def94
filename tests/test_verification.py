"""Verification of a KSM pay period (issue 10 item 4): the rules, the scope, what the field sees,
and the lock a verified period puts on attendance and payments."""

import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, AuditLog, Conflict, Ksm, Payment, Verification, Worker
from kotaku_pwa.payments.locks import latest

from .factories import attendance_record, make_kelurahan, make_kota, make_ksm, make_user, new_uuid
from .test_payments import PNG

WEEK = ("2021-04-15", "2021-04-21")
REASON = "HOK Baiq Fitriani 16 April belum dicentang"


def ksm_one():
    return db.session.execute(db.select(Ksm).filter_by(name="KSM Tanjung Karang 1")).scalar_one()


def decision(ksm_id, choice, reason="", start=WEEK[0], end=WEEK[1], uuid=None):
    return {
        "uuid": uuid or new_uuid(),
        "kind": "verification",
        "recorded_at": "2021-04-23T09:00:00+08:00",
        "data": {
            "ksm_id": ksm_id,
            "period_start": start,
            "period_end": end,
            "decision": choice,
            "reason": reason,
        },
    }


def send(auth, username, *records):
    auth.login(username)
    answer = auth.sync(list(records))
    auth.logout()
    assert answer.status_code == 200, answer.data
    return answer.get_json()["results"]


def page_text(auth, username, url):
    auth.login(username)
    response = auth.client.get(url)
    auth.logout()
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- the rules --------------------------------------------------------------------------------------


def test_returning_without_a_reason_is_invalid(demo, auth):
    [result] = send(auth, "askot", decision(ksm_one().id, "returned", reason="  "))
    assert result["status"] == "invalid"
    assert "reason" in result["errors"]
    assert db.session.scalar(db.select(db.func.count(Verification.id))) == 0


def test_a_period_that_is_not_the_ksms_pay_period_is_invalid(demo, auth):
    ksm_id = ksm_one().id
    results = send(
        auth,
        "askot",
        decision(ksm_id, "verified", start="2021-04-16", end="2021-04-22"),
        decision(ksm_id, "approved"),
        decision(ksm_id, "verified", start="2021-13-01"),
    )
    assert [r["status"] for r in results] == ["invalid"] * 3
    assert "period_start" in results[0]["errors"]
    assert "decision" in results[1]["errors"]
    assert "period_start" in results[2]["errors"]


def test_a_period_not_yet_begun_is_invalid(app, auth):
    kota = make_kota()
    ksm = make_ksm(make_kelurahan(kota=kota), start=date(2099, 1, 1), end=date(2099, 3, 1))
    make_user("supervisor", username="sup", kota=kota)
    auth.login("sup", "rahasia-uji-123")
    [result] = auth.sync([decision(ksm.id, "verified", start="2099-01-01", end="2099-01-07")]).get_json()[
        "results"
    ]
    assert result["status"] == "invalid"
    assert result["errors"]["period_start"] == "Periode ini belum dimulai."


def test_a_supervisor_verifies_and_a_resend_is_a_duplicate(demo, auth):
    record = decision(ksm_one().id, "verified")
    [first] = send(auth, "askot", record)
    [again] = send(auth, "askot", record)
    assert first["status"] == "created"
    assert again == {**first, "status": "duplicate"}
    stored = db.session.get(Verification, first["id"])
    assert (stored.decision, stored.period_start.isoformat(), stored.reason) == ("verified", WEEK[0], None)


# --- scope ------------------------------------------------------------------------------------------


def test_a_supervisor_of_another_kota_is_forbidden(demo, auth):
    make_user("supervisor", username="lobar", kota=make_kota("Lombok Barat"))
    auth.login("lobar", "rahasia-uji-123")
    [result] = auth.sync([decision(ksm_one().id, "verified")]).get_json()["results"]
    assert result["status"] == "forbidden"
    assert db.session.scalar(db.select(db.func.count(Verification.id))) == 0


@pytest.mark.parametrize("username", ["faskel", "bendahara"])
def test_the_field_may_not_verify_its_own_period(demo, auth, username):
    [result] = send(auth, username, decision(ksm_one().id, "verified"))
    assert result["status"] == "forbidden"


def test_admin_verifies_anywhere(demo, auth):
    [result] = send(auth, "admin", decision(ksm_one().id, "returned", reason="Foto daftar hadir buram"))
    assert result["status"] == "created"


def test_the_verification_page_is_for_supervisors_and_admin(demo, auth):
    send(auth, "askot", decision(ksm_one().id, "returned", reason=REASON))
    text = page_text(auth, "askot", "/verification/")
    assert "KSM Tanjung Karang 1" in text and f"dikembalikan: {REASON}" in text
    assert "KSM Bertais 1" in text  # every KSM of the kota
    auth.login("faskel")
    assert auth.client.get("/verification/").status_code == 403


# --- what the field sees ----------------------------------------------------------------------------


def test_a_returned_period_shows_its_reason_until_it_is_verified(demo, auth):
    ksm_id = ksm_one().id
    send(auth, "askot", decision(ksm_id, "returned", reason=REASON))
    pages = {
        "faskel": ["/", f"/attendance/{ksm_id}/2021-04-16", f"/payments/{ksm_id}/{WEEK[0]}"],
        "bendahara": ["/", f"/attendance/{ksm_id}/2021-04-20", f"/payments/{ksm_id}/{WEEK[0]}"],
    }
    for username, urls in pages.items():
        for url in urls:
            text = page_text(auth, username, url)
            assert f"Dikembalikan: {REASON}" in text, (username, url)
            if url != "/":  # a period's pages also say who returned it
                assert "(Dedi Kurniawan (Askot Mataram)," in text, (username, url)
    # Another period's day says nothing.
    assert "Dikembalikan" not in page_text(auth, "faskel", f"/attendance/{ksm_id}/2021-04-22")

    send(auth, "askot", decision(ksm_id, "verified"))
    for username, urls in pages.items():
        for url in urls:
            assert "Dikembalikan" not in page_text(auth, username, url), (username, url)
    assert "sudah diverifikasi supervisor" in page_text(auth, "faskel", f"/attendance/{ksm_id}/2021-04-16")


def test_the_supervisor_sees_the_form_the_field_does_not(demo, auth):
    url = f"/payments/{ksm_one().id}/{WEEK[0]}"
    assert 'data-outbox="verification"' in page_text(auth, "askot", url)
    assert 'data-outbox="verification"' not in page_text(auth, "faskel", url)
    assert 'data-outbox="verification"' not in page_text(auth, "bendahara", url)


def test_the_latest_decision_of_a_period_is_its_state():
    rows = [
        SimpleNamespace(id=3, ksm_id=1, period_start="w1", decision="verified"),
        SimpleNamespace(id=1, ksm_id=1, period_start="w1", decision="returned"),
        SimpleNamespace(id=2, ksm_id=1, period_start="w2", decision="returned"),
        SimpleNamespace(id=4, ksm_id=2, period_start="w1", decision="returned"),
    ]
    state = latest(rows)
    assert {key: d.id for key, d in state.items()} == {(1, "w1"): 3, (1, "w2"): 2, (2, "w1"): 4}


# --- the lock ---------------------------------------------------------------------------------------


def sunday_attendance(ksm):
    """A worker's record for Sunday 18 April: a day the demo left empty (no work on Sundays)."""
    worker = db.session.scalars(
        db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)
    ).first()
    return attendance_record(ksm.id, worker.uuid, work_date="2021-04-18")


def test_attendance_in_a_verified_period_waits_for_the_supervisor(demo, auth):
    ksm = ksm_one()
    [verified] = send(auth, "askot", decision(ksm.id, "verified"))
    record = sunday_attendance(ksm)
    [result] = send(auth, "faskel", record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "verification", "uuid": verified["uuid"], "id": verified["id"]}
    assert db.session.scalar(db.select(db.func.count(Attendance.id)).filter_by(uuid=record["uuid"])) == 0
    conflict = db.session.execute(db.select(Conflict).filter_by(uuid=record["uuid"])).scalar_one()
    assert "diverifikasi" in conflict.reason
    # The supervisor sees it with the verification it clashes with.
    text = page_text(auth, "askot", "/conflicts/")
    assert "diverifikasi" in text


def test_a_payment_in_a_verified_period_waits_for_the_supervisor(demo, auth):
    from .test_payments import payment, worker_of

    ksm = ksm_one()
    send(auth, "askot", decision(ksm.id, "verified"))
    [result] = send(auth, "bendahara", payment(ksm, worker_of(ksm), signature=PNG))
    assert result["status"] == "conflict"
    assert result["existing"]["kind"] == "verification"
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0


def test_a_returned_period_is_open_again_and_other_periods_never_locked(demo, auth):
    ksm = ksm_one()
    send(auth, "askot", decision(ksm.id, "verified"))
    worker = db.session.scalars(
        db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)
    ).first()
    next_week = attendance_record(ksm.id, worker.uuid, work_date="2021-04-25")  # a Sunday of week 2
    assert send(auth, "faskel", next_week)[0]["status"] == "created"
    send(auth, "askot", decision(ksm.id, "returned", reason=REASON))
    assert send(auth, "faskel", sunday_attendance(ksm))[0]["status"] == "created"


def test_a_verification_earlier_in_the_batch_locks_the_records_after_it(demo, auth):
    ksm = ksm_one()
    results = send(auth, "admin", decision(ksm.id, "verified"), sunday_attendance(ksm))
    assert [r["status"] for r in results] == ["created", "conflict"]
    assert results[1]["existing"]["id"] == results[0]["id"]


def test_a_lock_conflict_can_only_keep_the_stored_side(demo, auth):
    ksm = ksm_one()
    send(auth, "askot", decision(ksm.id, "verified"))
    record = sunday_attendance(ksm)
    send(auth, "faskel", record)
    conflict = db.session.execute(db.select(Conflict).filter_by(uuid=record["uuid"])).scalar_one()
    auth.login("askot")
    refused = auth.post(f"/conflicts/{conflict.id}/resolve", keep="incoming", reason="tetap")
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == "open"
    auth.post(f"/conflicts/{conflict.id}/resolve", keep="existing", reason="Periode sudah diverifikasi")
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == "kept_existing"


# --- the audit trail --------------------------------------------------------------------------------


def test_each_decision_is_a_line_of_the_audit_trail(demo, auth):
    ksm = ksm_one()
    [returned] = send(auth, "askot", decision(ksm.id, "returned", reason=REASON))
    entry = db.session.execute(db.select(AuditLog).filter_by(object_kind="verification")).scalar_one()
    assert entry.object_id == returned["id"]
    assert (entry.ksm_id, entry.kelurahan_id) == (ksm.id, ksm.kelurahan_id)
    assert entry.detail["decision"] == "returned" and entry.detail["reason"] == REASON
    assert entry.user.username == "askot"


# --- the figures of export.csv ----------------------------------------------------------------------


def test_verified_and_returned_periods_per_kelurahan_count_each_periods_latest_decision(demo, auth):
    from kotaku_pwa.payments.locks import period_counts

    tk1 = ksm_one()
    tk2 = db.session.execute(db.select(Ksm).filter_by(name="KSM Tanjung Karang 2")).scalar_one()
    pagutan = db.session.execute(db.select(Ksm).filter_by(name="KSM Pagutan 1")).scalar_one()
    week2 = ("2021-04-22", "2021-04-28")
    send(
        auth,
        "askot",
        decision(tk1.id, "returned", reason=REASON),
        decision(tk1.id, "verified"),  # week 1 of TK1: returned, then verified → verified
        decision(tk1.id, "returned", reason=REASON, start=week2[0], end=week2[1]),
        decision(tk2.id, "verified"),
        decision(tk2.id, "returned", reason=REASON),  # week 1 of TK2: verified, then returned → returned
        decision(pagutan.id, "verified"),
    )
    counts = period_counts([tk1.kelurahan_id, pagutan.kelurahan_id])
    assert counts == {
        tk1.kelurahan_id: {"verified": 1, "returned": 2},
        pagutan.kelurahan_id: {"verified": 1, "returned": 0},
    }
    assert period_counts([]) == {}
    auth.login("askot")
    rows = {
        r["kelurahan"]: r
        for r in csv.DictReader(io.StringIO(auth.client.get("/dashboard/export.csv").get_data(as_text=True)))
    }
    assert (rows["Tanjung Karang"]["verified_periods"], rows["Tanjung Karang"]["returned_periods"]) == (
        "1",
        "2",
    )
    assert (rows["Pagutan"]["verified_periods"], rows["Pagutan"]["returned_periods"]) == ("1", "0")
    assert (rows["Bertais"]["verified_periods"], rows["Bertais"]["returned_periods"]) == ("0", "0")
