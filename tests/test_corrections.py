"""Corrections (docs/sync-protocol.md, issue 9): a record naming the version it corrects (`replaces`).

Worked by hand on the demo: Abdul Rahman (KSM Tanjung Karang 1, mandor, Rp 95.000 a day) has
attendance from 15 to 28 April 2021 except Sundays, absent on Tuesday 20 April. His first pay week,
15–21 April, holds 5 HOK (15, 16, 17, 19, 21; the 18th is a Sunday, the 20th absent) = Rp 475.000.
"""

from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import (
    Attendance,
    Conflict,
    HealthCheck,
    Meeting,
    MeetingAttendee,
    Payment,
    RecordVersion,
    Worker,
)
from kotaku_pwa.payments.locks import paid_reason
from kotaku_pwa.payments.queries import wages_overpaid
from tests.factories import new_uuid, worker_record
from tests.test_meetings import health, meeting
from tests.test_payments import PNG, WEEK
from tests.test_payments import payment as payment_record
from tests.test_sync import attendance, count, demo_worker, ksm, send, send_one, sign_in

RATE = 95_000  # mandor


def correction(record, uuid=None, **data):
    """A new version of `record` (another uuid) that names it in `replaces`."""
    return {
        "uuid": uuid or new_uuid(),
        "kind": record["kind"],
        "replaces": record["uuid"],
        "recorded_at": record.get("recorded_at"),
        "data": {**record["data"], **data},
    }


def worker_as_sent(worker: Worker) -> dict:
    """The stored worker as a `worker` record (its current version), the way a phone shows it."""
    return {
        "uuid": worker.version,
        "kind": "worker",
        "recorded_at": "2021-04-16T08:00:00+08:00",
        "data": {
            "ksm_id": worker.ksm_id,
            "nik": worker.nik,
            "name": worker.name,
            "gender": worker.gender,
            "category": worker.category,
            "phone": worker.phone,
            "low_income_covid": worker.low_income_covid,
            "lost_income": worker.lost_income,
            "breadwinner": worker.breadwinner,
        },
    }


def stored_day(worker, day) -> Attendance:
    return db.session.execute(
        db.select(Attendance).where(Attendance.worker_id == worker.id, Attendance.work_date == day)
    ).scalar_one()


def day_as_sent(worker, day) -> dict:
    """The stored attendance of a day as a record (its current version)."""
    row = stored_day(worker, day)
    record = attendance(row.ksm_id, worker.uuid, day.isoformat(), present=row.present, uuid=row.version)
    return record


def history(kind, record_id):
    return db.session.scalars(
        db.select(RecordVersion)
        .where(RecordVersion.kind == kind, RecordVersion.record_id == record_id)
        .order_by(RecordVersion.id)
    ).all()


def conflict_of(uuid) -> Conflict:
    return db.session.execute(db.select(Conflict).where(Conflict.uuid == uuid)).scalar_one()


@pytest.fixture
def faskel(demo, auth):
    return sign_in(auth, "faskel")


@pytest.fixture
def registered(faskel):
    """Budi registered by the fasilitator: (record, id)."""
    record = worker_record(ksm().id)
    result = send_one(faskel, record)
    assert result["status"] == "created"
    return record, result["id"]


# --- worker ----------------------------------------------------------------------------------------


def test_a_worker_correction_updates_the_worker_in_place_and_keeps_the_old_version(faskel, registered):
    record, worker_id = registered
    fixed = correction(record, name="Budi Santosa", phone="081311112222")
    assert send_one(faskel, fixed) == {"uuid": fixed["uuid"], "status": "created", "id": worker_id}
    worker = db.session.get(Worker, worker_id)
    assert (worker.uuid, worker.version) == (record["uuid"], fixed["uuid"])  # identity, current version
    assert (worker.name, worker.phone) == ("Budi Santosa", "081311112222")
    assert count(Worker) == count(Worker, Worker.nik == worker.nik) + count(Worker, Worker.nik != worker.nik)
    assert count(Worker, Worker.nik == worker.nik) == 1  # nothing stored twice
    [old] = history("worker", worker_id)
    assert (old.uuid, old.replaced_by) == (record["uuid"], fixed["uuid"])
    assert (old.data["name"], old.data["phone"]) == ("Budi Santoso", "081234567890")  # nothing lost
    assert old.created_by.username == old.superseded_by.username == "faskel"


def test_resending_either_version_is_a_duplicate(faskel, registered):
    record, worker_id = registered
    fixed = correction(record, name="Budi Santosa")
    send_one(faskel, fixed)
    for again in (record, fixed):
        assert send_one(faskel, again) == {"uuid": again["uuid"], "status": "duplicate", "id": worker_id}
    assert len(history("worker", worker_id)) == 1


def test_a_correction_of_a_superseded_version_is_a_conflict_naming_the_current_one(faskel, registered):
    record, worker_id = registered
    first = correction(record, name="Budi Santosa")
    late = correction(record, name="Budi Susanto")  # another phone still saw the first version
    send_one(faskel, first)
    result = send_one(faskel, late)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker", "uuid": first["uuid"], "id": worker_id}
    held = conflict_of(late["uuid"])
    assert result["conflict_id"] == held.id and held.replaces == record["uuid"]
    assert db.session.get(Worker, worker_id).name == "Budi Santosa"  # never applied silently
    again = send_one(faskel, late)  # a resend gets the same answer, and the same conflict
    assert (again["status"], again["conflict_id"]) == ("conflict", held.id)
    assert count(Conflict, Conflict.uuid == late["uuid"]) == 1


def test_a_supervisor_keeps_a_late_correction_and_it_becomes_current(demo, auth, registered):
    record, worker_id = registered
    first, late = correction(record, name="Budi Santosa"), correction(record, name="Budi Susanto")
    send(auth, first, late)
    conflict_id = conflict_of(late["uuid"]).id
    auth.logout()
    sign_in(auth, "askot")
    response = auth.client.post(
        f"/conflicts/{conflict_id}/resolve", data={"keep": "incoming", "csrf_token": auth.token()}
    )
    assert response.status_code in (200, 302)
    worker = db.session.get(Worker, worker_id)
    assert (worker.name, worker.version) == ("Budi Susanto", late["uuid"])
    assert [v.data["name"] for v in history("worker", worker_id)] == ["Budi Santoso", "Budi Santosa"]
    auth.logout()
    sign_in(auth, "faskel")
    assert send_one(auth, late) == {"uuid": late["uuid"], "status": "duplicate", "id": worker_id}


def test_a_correction_naming_an_unknown_uuid_is_invalid(faskel, registered):
    record, _ = registered
    stray = {**correction(record, name="Budi Santosa"), "replaces": new_uuid()}
    result = send_one(faskel, stray)
    assert result["status"] == "invalid" and result["errors"] == {
        "replaces": "Versi yang dikoreksi tidak dikenal."
    }
    not_a_uuid = {**correction(record), "replaces": "abc"}
    assert send_one(faskel, not_a_uuid)["errors"] == {"replaces": "Harus berupa UUID."}
    assert count(Worker, Worker.name == "Budi Santosa") == 0


def test_a_correction_naming_a_record_of_another_kind_is_invalid(faskel):
    abdul = demo_worker()
    day = day_as_sent(abdul, date(2021, 4, 19))
    wrong = {**worker_as_sent(abdul), "uuid": new_uuid(), "replaces": day["uuid"]}
    assert send_one(faskel, wrong)["errors"] == {"replaces": "Versi yang dikoreksi tidak dikenal."}


def test_a_correction_outside_the_users_scope_is_forbidden(demo, auth):
    elsewhere = ksm("Mataram Timur")  # not one of the fasilitator's kelurahan
    sign_in(auth, "admin")
    record = worker_record(elsewhere.id)
    assert send_one(auth, record)["status"] == "created"
    auth.logout()
    sign_in(auth, "faskel")
    # Moving the worker into her own KSM does not bring the stored worker into her scope.
    moved = correction(record, ksm_id=ksm().id, name="Budi Pindah")
    result = send_one(auth, moved)
    assert (result["status"], result["errors"]) == ("forbidden", {"data": "Di luar wilayah tugas Anda."})
    assert send_one(auth, correction(record, name="Budi Lain"))["status"] == "forbidden"
    worker = db.session.execute(db.select(Worker).where(Worker.uuid == record["uuid"])).scalar_one()
    assert (worker.name, worker.ksm_id, worker.version) == ("Budi Santoso", elsewhere.id, record["uuid"])


def test_money_is_not_corrected(demo, auth):
    sign_in(auth, "bendahara")
    tk1, abdul = ksm(), demo_worker()
    paid = payment_record(tk1, abdul, days=5)
    assert send_one(auth, paid)["status"] == "created"
    result = send_one(auth, correction(paid, days=4, amount=4 * RATE))
    assert result["status"] == "invalid"
    assert result["errors"] == {
        "replaces": "Pembayaran tidak dapat dikoreksi: batalkan (reverse) lalu bayar ulang."
    }
    tranche = {
        "uuid": new_uuid(),
        "kind": "tranche",
        "data": {"ksm_id": tk1.id, "tranche": 1, "amount": 1_000_000, "received_on": "2021-04-16"},
    }
    spending = {
        "uuid": new_uuid(),
        "kind": "spending",
        "data": {
            "ksm_id": tk1.id,
            "spent_on": "2021-04-16",
            "category": "alat",
            "description": "Cangkul",
            "amount": 100_000,
        },
    }
    for record in (tranche, spending):
        assert send_one(auth, record)["status"] == "created", record["kind"]
        answer = send_one(auth, correction(record, amount=200_000))
        assert (answer["status"], answer["errors"]) == (
            "invalid",
            {"replaces": "Data jenis ini tidak dapat dikoreksi."},
        )
    assert count(Payment) == 1 and db.session.scalar(db.select(Payment.amount)) == 5 * RATE


def test_a_worker_registered_and_corrected_in_one_batch_is_one_worker(faskel):
    record = worker_record(ksm().id)
    fixed = correction(record, name="Budi Santosa")
    day = attendance(ksm().id, record["uuid"], "2021-05-03")
    results = send(faskel, record, fixed, day)
    assert [r["status"] for r in results] == ["created", "created", "created"]
    assert results[0]["id"] == results[1]["id"]
    worker = db.session.get(Worker, results[0]["id"])
    assert (worker.uuid, worker.version, worker.name) == (record["uuid"], fixed["uuid"], "Budi Santosa")
    assert [v.data["name"] for v in history("worker", worker.id)] == ["Budi Santoso"]
    assert stored_day(worker, date(2021, 5, 3)).present is True


def test_a_worker_with_hok_is_not_moved_to_another_ksm(faskel):
    abdul = demo_worker()
    moved = correction(worker_as_sent(abdul), ksm_id=ksm(number=2).id)
    result = send_one(faskel, moved)
    assert result["status"] == "invalid" and "ksm_id" in result["errors"]
    assert db.session.get(Worker, abdul.id).ksm_id == ksm().id


def test_reference_workers_carry_their_identity_and_current_version(faskel, registered):
    record, _ = registered
    fixed = correction(record, name="Budi Santosa")
    send_one(faskel, fixed)
    workers = faskel.client.get("/api/reference").get_json()["workers"]
    [budi] = [w for w in workers if w["uuid"] == record["uuid"]]
    assert (budi["version"], budi["name"], budi["active"], budi["inactive_from"]) == (
        fixed["uuid"],
        "Budi Santosa",
        True,
        None,
    )


# --- deactivation ----------------------------------------------------------------------------------


def deactivate(worker, since="2021-04-26", reason="Pindah kerja ke luar kota"):
    return correction(worker_as_sent(worker), active=False, inactive_from=since, inactive_reason=reason)


def test_a_deactivated_worker_leaves_the_lists_from_that_day_and_keeps_the_history(faskel, client):
    abdul = demo_worker()
    hok_before = count(Attendance, Attendance.worker_id == abdul.id, Attendance.present.is_(True))
    assert send_one(faskel, deactivate(abdul))["status"] == "created"
    worker = db.session.get(Worker, abdul.id)
    assert (worker.active, worker.inactive_from, worker.inactive_reason) == (
        False,
        date(2021, 4, 26),
        "Pindah kerja ke luar kota",
    )
    tk1 = ksm()
    # 29 April: nothing recorded, he is off the list; 27 April: his recorded day keeps him there.
    later = client.get(f"/attendance/{tk1.id}/2021-04-29").get_data(as_text=True)
    assert f'value="{abdul.uuid}"' not in later  # named only in data-off-list (attendance.js)
    assert abdul.uuid in client.get(f"/attendance/{tk1.id}/2021-04-27").get_data(as_text=True)
    assert abdul.uuid in client.get(f"/attendance/{tk1.id}/2021-04-22").get_data(as_text=True)
    late = send_one(faskel, attendance(tk1.id, abdul.uuid, "2021-05-03"))
    assert late["status"] == "invalid" and late["errors"] == {
        "present": "Pekerja ini nonaktif sejak 2021-04-26."
    }
    absent = send_one(faskel, attendance(tk1.id, abdul.uuid, "2021-05-04", present=False))
    assert absent["status"] == "created"  # an absence may still be written down
    assert count(Attendance, Attendance.worker_id == abdul.id, Attendance.present.is_(True)) == hok_before
    wages = client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Abdul Rahman" in wages and "5 HOK" in wages  # past days keep their wages
    [entry] = [w for w in client.get("/api/reference").get_json()["workers"] if w["uuid"] == abdul.uuid]
    assert (entry["active"], entry["inactive_from"]) == (False, "2021-04-26")


def test_a_deactivation_needs_a_date_and_a_reason(faskel):
    abdul = demo_worker()
    result = send_one(faskel, deactivate(abdul, since=None, reason=""))
    assert result["status"] == "invalid"
    assert set(result["errors"]) == {"inactive_from", "inactive_reason"}
    assert send_one(faskel, deactivate(abdul, reason="x"))["errors"] == {
        "inactive_reason": "Tuliskan alasan penonaktifan (paling sedikit 5 karakter)."
    }
    assert db.session.get(Worker, abdul.id).active is True


def test_a_worker_is_reactivated_by_a_further_correction(faskel):
    abdul = demo_worker()
    off = deactivate(abdul)
    send_one(faskel, off)
    back = correction(off, active=True)
    assert send_one(faskel, back)["status"] == "created"
    worker = db.session.get(Worker, abdul.id)
    assert (worker.active, worker.inactive_from, worker.inactive_reason) == (True, None, None)
    assert send_one(faskel, attendance(ksm().id, abdul.uuid, "2021-05-03"))["status"] == "created"


# --- attendance ------------------------------------------------------------------------------------


def test_a_facilitator_correcting_her_own_unpaid_day_is_applied(faskel):
    abdul = demo_worker()
    tuesday = date(2021, 4, 20)
    stored = stored_day(abdul, tuesday)
    assert stored.present is False
    ticked = correction(day_as_sent(abdul, tuesday), present=True)
    assert send_one(faskel, ticked) == {"uuid": ticked["uuid"], "status": "created", "id": stored.id}
    row = stored_day(abdul, tuesday)
    assert (row.present, row.version, row.uuid) == (True, ticked["uuid"], stored.uuid)
    [old] = history("attendance", stored.id)
    assert old.data["present"] is False and old.uuid == stored.uuid
    unticked = correction(ticked, present=False)  # and unticked again: still her own unpaid day
    assert send_one(faskel, unticked)["status"] == "created"
    assert stored_day(abdul, tuesday).present is False
    assert count(Conflict) == 0


def test_an_attendance_correction_keeps_its_worker_and_day(faskel):
    abdul = demo_worker()
    moved = correction(day_as_sent(abdul, date(2021, 4, 19)), work_date="2021-04-22")
    result = send_one(faskel, moved)
    assert result["status"] == "invalid" and "work_date" in result["errors"]


@pytest.fixture
def paid_week(demo, auth):
    """The bendahara pays Abdul his 5 HOK of 15–21 April: Rp 475.000, signed."""
    sign_in(auth, "bendahara")
    abdul = demo_worker()
    result = send_one(auth, payment_record(ksm(), abdul, days=5, signature=PNG))
    assert result["status"] == "created"
    auth.logout()
    return abdul, db.session.get(Payment, result["id"])


def test_the_lock_is_one_function_over_payments_not_reversed(paid_week):
    abdul, paid = paid_week
    reason = paid_reason(abdul.id, date(2021, 4, 16))
    assert "Rp 475.000" in reason and "sudah dibayar" in reason
    assert paid_reason(abdul.id, date(2021, 4, 22)) is None  # the next week is not paid


def test_an_attendance_correction_inside_a_paid_period_waits_for_a_supervisor(paid_week, auth):
    abdul, paid = paid_week
    sign_in(auth, "faskel")
    friday = date(2021, 4, 16)
    stored = stored_day(abdul, friday)
    unticked = correction(day_as_sent(abdul, friday), present=False)
    result = send_one(auth, unticked)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "attendance", "uuid": stored.version, "id": stored.id}
    held = conflict_of(unticked["uuid"])
    assert result["conflict_id"] == held.id and "sudah dibayar" in held.reason
    assert stored_day(abdul, friday).present is True  # never applied silently
    assert send_one(auth, unticked)["conflict_id"] == held.id


def test_once_accepted_the_overpayment_shows_until_settled(paid_week, auth, client):
    abdul, paid = paid_week
    tk1 = ksm()
    sign_in(auth, "faskel")
    unticked = correction(day_as_sent(abdul, date(2021, 4, 16)), present=False)
    conflict_id = send_one(auth, unticked)["conflict_id"]
    auth.logout()
    sign_in(auth, "askot")
    auth.client.post(
        f"/conflicts/{conflict_id}/resolve", data={"keep": "incoming", "csrf_token": auth.token()}
    )
    assert stored_day(abdul, date(2021, 4, 16)).present is False
    assert len(history("attendance", stored_day(abdul, date(2021, 4, 16)).id)) == 1
    # Paid Rp 475.000 for 5 HOK; 4 HOK are due now: Rp 380.000, so Rp 95.000 paid too much.
    assert wages_overpaid([tk1.kelurahan_id]) == {tk1.kelurahan_id: RATE}
    csv = client.get("/dashboard/export.csv").get_data(as_text=True).splitlines()
    header, rows = (
        csv[0].split(","),
        [dict(zip(csv[0].split(","), r.split(","), strict=True)) for r in csv[1:]],
    )
    assert "wages_overpaid" in header
    assert next(r for r in rows if r["kelurahan"] == "Tanjung Karang")["wages_overpaid"] == str(RATE)
    auth.logout()
    sign_in(auth, "bendahara")
    wages = client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Kelebihan bayar Rp 95.000" in wages
    ledger = client.get(f"/payments/{tk1.id}/ledger").get_data(as_text=True)
    assert "kelebihan bayar Rp 95.000" in ledger
    # The signed sheet keeps the amount signed (Rp 475.000, 5 HOK) and shows the difference beside it.
    sheet = client.get(f"/payments/{tk1.id}/{WEEK[0]}/daftar-upah").get_data(as_text=True)
    assert "Rp 475.000" in sheet and "Kelebihan bayar Rp 95.000 (HOK kini 4)" in sheet
    # Settled: the payment is reversed and the 4 days paid again.
    reverse = auth.client.post(
        f"/payments/payment/{paid.id}/reverse",
        data={"reason": "Kelebihan bayar satu hari", "csrf_token": auth.token()},
    )
    assert reverse.status_code in (200, 302)
    again = send_one(auth, payment_record(tk1, abdul, days=4, signature=PNG))
    assert again["status"] == "created" and db.session.get(Payment, again["id"]).round == 2
    assert wages_overpaid([tk1.kelurahan_id]).get(tk1.kelurahan_id, 0) == 0
    assert "Kelebihan bayar" not in client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)


def test_once_accepted_a_shortfall_is_paid_by_a_top_up(paid_week, auth, client):
    abdul, paid = paid_week
    tk1 = ksm()
    sign_in(auth, "faskel")
    ticked = correction(day_as_sent(abdul, date(2021, 4, 20)), present=True)  # he did work on the 20th
    conflict_id = send_one(auth, ticked)["conflict_id"]
    auth.logout()
    sign_in(auth, "askot")
    auth.client.post(
        f"/conflicts/{conflict_id}/resolve", data={"keep": "incoming", "csrf_token": auth.token()}
    )
    auth.logout()
    sign_in(auth, "bendahara")
    wages = client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Kekurangan bayar Rp 95.000" in wages and "Bayar kekurangan" in wages
    assert 'data-days="1"' in wages and f'data-amount="{RATE}"' in wages
    sheet = client.get(f"/payments/{tk1.id}/{WEEK[0]}/daftar-upah").get_data(as_text=True)
    assert "Rp 475.000" in sheet and "Kekurangan bayar Rp 95.000 (HOK kini 6)" in sheet
    assert wages_overpaid([tk1.kelurahan_id]).get(tk1.kelurahan_id, 0) == 0  # a shortfall is no overpayment
    too_much = send_one(auth, payment_record(tk1, abdul, days=2, signature=PNG))
    assert too_much["status"] in ("invalid", "conflict")  # 5 paid + 2 > 6 HOK
    top_up = send_one(auth, payment_record(tk1, abdul, days=1, signature=PNG))
    assert top_up["status"] == "created"
    assert db.session.get(Payment, top_up["id"]).round == 2
    wages = client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Kekurangan bayar" not in wages and "Kelebihan bayar" not in wages
    assert "Rp 570.000" in wages  # 6 × 95.000 paid in two payments
    full_again = send_one(auth, payment_record(tk1, abdul, days=6, signature=PNG))
    assert full_again["status"] in ("invalid", "conflict")  # paying the week twice stays refused
    assert count(Payment) == 2


def test_after_a_reversal_the_day_is_no_longer_held(paid_week, auth):
    abdul, paid = paid_week
    sign_in(auth, "bendahara")
    auth.client.post(
        f"/payments/payment/{paid.id}/reverse",
        data={"reason": "Salah periode bayar", "csrf_token": auth.token()},
    )
    assert paid.reversal is not None or db.session.get(Payment, paid.id).reversal is not None
    auth.logout()
    sign_in(auth, "faskel")
    unticked = correction(day_as_sent(abdul, date(2021, 4, 16)), present=False)
    assert send_one(auth, unticked)["status"] == "created"


# --- meeting and health check ----------------------------------------------------------------------


def test_a_meeting_correction_replaces_its_list_and_keeps_the_old_one(faskel):
    first = meeting()
    [made] = send(faskel, first)
    fewer = first["data"]["attendees"][:2]
    fixed = correction(first, place="Balai RW 02", attendees=fewer)
    assert send_one(faskel, fixed) == {"uuid": fixed["uuid"], "status": "created", "id": made["id"]}
    row = db.session.get(Meeting, made["id"])
    assert (row.uuid, row.version, row.place) == (first["uuid"], fixed["uuid"], "Balai RW 02")
    assert [a.name for a in row.attendees] == [a["name"] for a in fewer]
    assert count(Meeting) == 1 and count(MeetingAttendee) == 2
    [old] = history("meeting", row.id)
    assert old.data["place"] == "Aula Kantor Lurah" and len(old.data["attendees"]) == 4
    assert send_one(faskel, first)["status"] == "duplicate"


def test_a_health_check_correction_is_applied_and_names_the_meeting_by_its_identity(faskel):
    held = meeting()
    check = health(held)
    send(faskel, held, check)
    fixed_meeting = correction(held, place="Balai RW 02")
    fixed_check = correction(check, masks_worn=3)  # still names the meeting by its first uuid
    results = send(faskel, fixed_meeting, fixed_check)
    assert [r["status"] for r in results] == ["created", "created"]
    row = db.session.get(HealthCheck, results[1]["id"])
    assert (row.masks_worn, row.version, row.meeting.place) == (3, fixed_check["uuid"], "Balai RW 02")
    assert history("health_check", row.id)[0].data["masks_worn"] == 4
    assert count(HealthCheck) == 1


def test_the_history_lists_every_version_with_who_and_what_changed(faskel, registered):
    from kotaku_pwa.records.history import changes, history
    from kotaku_pwa.workers.worker import WORKER

    record, worker_id = registered
    first = correction(record, name="Budi Santosa")
    second = correction(first, phone="081311112222")
    send(faskel, first, second)
    versions = history(WORKER, db.session.get(Worker, worker_id))
    assert [v.uuid for v in versions] == [record["uuid"], first["uuid"], second["uuid"]]
    assert [v.current for v in versions] == [False, False, True]
    assert [v.changed for v in versions] == [
        [],
        [("name", "Budi Santoso", "Budi Santosa")],
        [("phone", "081234567890", "081311112222")],
    ]
    assert {v.made_by.username for v in versions} == {"faskel"}
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3}) == [("b", 2, 3)]


def test_a_worker_deactivated_before_a_period_leaves_its_wage_list_and_daftar_hadir(faskel, client):
    abdul = demo_worker()
    send_one(faskel, deactivate(abdul, since="2021-04-29"))
    tk1 = ksm()
    # 22–28 April: his days are there; 29 April – 5 May (the next week): he is gone from both lists.
    assert "Abdul Rahman" in client.get(f"/payments/{tk1.id}/2021-04-22").get_data(as_text=True)
    assert "Abdul Rahman" not in client.get(f"/payments/{tk1.id}/2021-04-29").get_data(as_text=True)
    hadir = client.get(f"/payments/{tk1.id}/2021-04-29/daftar-hadir").get_data(as_text=True)
    assert hadir.count("<tr") > 2 and "Abdul Rahman" not in hadir
    assert "Abdul Rahman" in client.get(f"/payments/{tk1.id}/2021-04-22/daftar-hadir").get_data(as_text=True)


def test_a_correction_is_in_the_audit_trail(faskel, registered):
    from kotaku_pwa.models import AuditLog

    record, worker_id = registered
    fixed = correction(record, name="Budi Santosa")
    send_one(faskel, fixed)
    [entry] = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "corrected")).all()
    assert (entry.object_kind, entry.object_id, entry.user.username) == ("worker", worker_id, "faskel")
    assert entry.detail == {"version": fixed["uuid"], "replaces": record["uuid"]}
    assert entry.kelurahan_id == ksm().kelurahan_id


def test_a_version_is_kept_once_whoever_wins_the_race(faskel, registered):
    # Two corrections of one version racing on two servers both insert its history row: the UNIQUE
    # uuid lets one win, the other batch is replayed and answered `conflict` (a superseded version).
    from sqlalchemy.exc import IntegrityError

    record, worker_id = registered
    send_one(faskel, correction(record, name="Budi Santosa"))
    [kept] = history("worker", worker_id)
    twin = RecordVersion(
        uuid=kept.uuid,
        kind="worker",
        record_id=worker_id,
        payload_hash=kept.payload_hash,
        data={},
        received_at=kept.received_at,
        created_by_id=kept.created_by_id,
        replaced_by=new_uuid(),
        superseded_by_id=kept.created_by_id,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert len(history("worker", worker_id)) == 1
