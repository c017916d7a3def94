"""Conflicts kept by the sync engine, as a supervisor sees and resolves them (/conflicts/)."""

from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.attendance.attendance import ATTENDANCE
from kotaku_pwa.formatting import mask_nik, mask_phone
from kotaku_pwa.models import Attendance, AuditLog, Conflict, Payment, Worker
from kotaku_pwa.records.history import history
from kotaku_pwa.workers.worker import WORKER
from tests.factories import PASSWORD, make_kota, make_user, worker_record
from tests.test_sync import attendance, count, demo_worker, ksm, send_one, sign_in, user

RESOLVED = "Konflik ini sudah diselesaikan."
ONLY_EXISTING = "Untuk konflik ini hanya data yang tersimpan yang dapat dipertahankan."


def as_faskel(auth, *records):
    """Send records as the fasilitator, one request each; return their results; then sign out."""
    sign_in(auth, "faskel")
    results = [send_one(auth, record) for record in records]
    auth.logout()
    return results


def one_conflict(uuid) -> Conflict:
    return db.session.execute(db.select(Conflict).where(Conflict.uuid == uuid)).scalar_one()


def resolve(auth, conflict_id, keep, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return auth.client.post(
        f"/conflicts/{conflict_id}/resolve", data={"keep": keep, "csrf_token": auth.token()}, headers=headers
    )


def audit_rows():
    return db.session.scalars(db.select(AuditLog).where(AuditLog.action.like("conflict_%"))).all()


@pytest.fixture
def same_day(demo, auth):
    """A second attendance for a demo worker's day: the demo has him absent, the phone says present."""
    worker = demo_worker()
    stored = db.session.execute(
        db.select(Attendance).where(
            Attendance.worker_id == worker.id, Attendance.work_date == date(2021, 4, 20)
        )
    ).scalar_one()
    assert stored.present is False
    record = attendance(ksm().id, worker.uuid, "2021-04-20", present=True)
    [result] = as_faskel(auth, record)
    assert result["status"] == "conflict"
    return record, stored.id, one_conflict(record["uuid"]).id


@pytest.fixture
def nik_clash(demo, auth):
    """A demo worker registered again, in another KSM, with another phone number."""
    stored = demo_worker()
    record = worker_record(ksm(number=2).id, nik=stored.nik, name="Abdul Rahman Baru", phone="081299998888")
    [result] = as_faskel(auth, record)
    assert result["status"] == "conflict"
    return record, stored.id, one_conflict(record["uuid"]).id


# --- seeing conflicts -------------------------------------------------------------------------------


def test_supervisor_sees_both_versions_with_nik_and_phone_masked(nik_clash, auth, client):
    record, stored_id, _ = nik_clash
    stored = db.session.get(Worker, stored_id)
    sign_in(auth, "askot")
    page = client.get("/conflicts/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Data masuk" in html and "Data tersimpan" in html
    assert "Abdul Rahman Baru" in html  # the incoming version
    assert stored.name in html  # the stored version
    assert "NIK ini sudah terdaftar sebagai pekerja pada musim ini" in html
    assert "••••" in html
    assert mask_nik(stored.nik) in html
    assert stored.nik not in html
    assert record["data"]["phone"] not in html and stored.phone not in html
    assert mask_phone(record["data"]["phone"]) in html and mask_phone(stored.phone) in html
    assert 'value="existing"' in html and 'value="incoming"' in html


def test_supervisor_sees_an_attendance_conflict(same_day, auth, client):
    record, _, conflict_id = same_day
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    assert f'id="conflict-{conflict_id}"' in html
    assert "Kehadiran pekerja ini pada tanggal ini sudah tercatat." in html


def test_resolved_conflicts_leave_the_open_list(same_day, auth, client):
    _, _, conflict_id = same_day
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "existing")
    assert f'id="conflict-{conflict_id}"' not in client.get("/conflicts/").get_data(as_text=True)
    everything = client.get("/conflicts/?status=all").get_data(as_text=True)
    assert f'id="conflict-{conflict_id}"' in everything
    assert "Data tersimpan dipertahankan" in everything


# --- resolving --------------------------------------------------------------------------------------


def test_keep_incoming_updates_the_stored_day(same_day, auth, client):
    record, stored_id, conflict_id = same_day
    before = count(Attendance)
    sign_in(auth, "askot")
    response = resolve(auth, conflict_id, "incoming")
    assert response.status_code == 302
    assert db.session.get(Attendance, stored_id).present is True
    assert count(Attendance) == before
    conflict = db.session.get(Conflict, conflict_id)
    assert conflict.status == "kept_incoming"
    assert conflict.resolved_by_id == user("askot").id
    assert conflict.resolved_at is not None
    [entry] = audit_rows()
    assert entry.action == "conflict_kept_incoming"
    assert (entry.object_kind, entry.object_id) == ("attendance", stored_id)
    assert entry.user_id == user("askot").id
    assert entry.kelurahan_id == ksm().kelurahan_id
    assert entry.detail["conflict_id"] == conflict_id
    assert entry.detail["incoming_uuid"] == record["uuid"]


def test_keep_existing_changes_nothing_but_the_conflict(same_day, auth, client):
    _, stored_id, conflict_id = same_day
    sign_in(auth, "askot")
    assert resolve(auth, conflict_id, "existing").status_code == 302
    assert db.session.get(Attendance, stored_id).present is False
    assert db.session.get(Conflict, conflict_id).status == "kept_existing"
    [entry] = audit_rows()
    assert (entry.action, entry.object_id) == ("conflict_kept_existing", stored_id)


@pytest.mark.parametrize(
    "first, second", [("existing", "incoming"), ("incoming", "existing"), ("existing", "existing")]
)
def test_a_second_resolution_is_refused(same_day, auth, client, first, second):
    _, stored_id, conflict_id = same_day
    sign_in(auth, "askot")
    resolve(auth, conflict_id, first)
    present = db.session.get(Attendance, stored_id).present
    response = resolve(auth, conflict_id, second, htmx=True)
    assert response.status_code == 200
    assert RESOLVED in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict_id).status == f"kept_{first}"
    assert db.session.get(Attendance, stored_id).present is present
    assert len(audit_rows()) == 1
    # Without htmx: a redirect and the message shown on the list.
    assert resolve(auth, conflict_id, second).status_code == 302
    assert RESOLVED in client.get("/conflicts/").get_data(as_text=True)
    assert len(audit_rows()) == 1


def test_keep_incoming_refused_for_a_reused_uuid(demo, auth, client):
    tk1, worker = ksm(), demo_worker()
    record = attendance(tk1.id, worker.uuid, "2021-05-03", present=True)
    reused = {**record, "data": {**record["data"], "present": False}}
    created, conflicted = as_faskel(auth, record, reused)
    assert (created["status"], conflicted["status"]) == ("created", "conflict")
    conflict = one_conflict(record["uuid"])
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    item = html[html.index(f'id="conflict-{conflict.id}"') :]
    assert 'value="incoming"' not in item[: item.index("</article>")]
    response = resolve(auth, conflict.id, "incoming", htmx=True)
    assert ONLY_EXISTING in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict.id).status == "open"
    assert db.session.get(Attendance, created["id"]).present is True
    assert audit_rows() == []
    assert resolve(auth, conflict.id, "existing").status_code == 302
    assert db.session.get(Conflict, conflict.id).status == "kept_existing"


@pytest.mark.parametrize("keep", ["", "both", "semua"])
def test_an_unknown_choice_is_refused(same_day, auth, client, keep):
    _, _, conflict_id = same_day
    sign_in(auth, "askot")
    response = resolve(auth, conflict_id, keep, htmx=True)
    assert "Pilih data yang dipertahankan." in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict_id).status == "open"
    assert audit_rows() == []


def test_resolving_needs_the_csrf_token(same_day, auth, client):
    _, _, conflict_id = same_day
    sign_in(auth, "askot")
    response = client.post(f"/conflicts/{conflict_id}/resolve", data={"keep": "incoming"})
    assert response.status_code == 400
    assert db.session.get(Conflict, conflict_id).status == "open"


def test_keep_incoming_registration_refused_when_the_stored_worker_has_hok(nik_clash, auth, client):
    record, stored_id, conflict_id = nik_clash  # the demo worker has attendance already
    sign_in(auth, "askot")
    response = resolve(auth, conflict_id, "incoming", htmx=True)
    assert "sudah punya catatan kehadiran" in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict_id).status == "open"
    assert db.session.get(Worker, stored_id).ksm_id == ksm().id


def test_keep_incoming_registration_moves_the_worker(demo, auth, client):
    tk1, tk2 = ksm(), ksm(number=2)
    first = worker_record(tk1.id, name="Budi Santoso")
    second = worker_record(tk2.id, name="  Budi Santoso Baru ", phone="0812-9999 8888", category="tukang")
    created, conflicted = as_faskel(auth, first, second)
    assert conflicted["status"] == "conflict"
    conflict_id = one_conflict(second["uuid"]).id
    sign_in(auth, "askot")
    assert resolve(auth, conflict_id, "incoming").status_code == 302
    moved = db.session.get(Worker, created["id"])
    assert (moved.ksm_id, moved.category) == (tk2.id, "tukang")
    # The same clean values the registration itself would have stored.
    assert (moved.name, moved.phone) == ("Budi Santoso Baru", "081299998888")
    assert count(Worker, Worker.nik == first["data"]["nik"]) == 1


def test_keep_incoming_registration_is_built_again_by_its_kind(demo, auth, client):
    # One writer per kind: the stored worker takes only what the registration's own build accepts,
    # even when the kept data no longer passes its checks (edited in the table, or a rule changed).
    tk1, tk2 = ksm(), ksm(number=2)
    first = worker_record(tk1.id, name="Budi Santoso")
    second = worker_record(tk2.id, name="Budi Santoso Baru")
    created, conflicted = as_faskel(auth, first, second)
    assert conflicted["status"] == "conflict"
    conflict = one_conflict(second["uuid"])
    conflict.data = {**conflict.data, "phone": "12345"}
    db.session.commit()
    sign_in(auth, "askot")
    response = resolve(auth, conflict.id, "incoming", htmx=True)
    assert "Nomor HP tidak valid" in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict.id).status == "open"
    kept = db.session.get(Worker, created["id"])
    assert (kept.ksm_id, kept.name, kept.phone) == (
        tk1.id,
        "Budi Santoso",
        first["data"].get("phone") or None,
    )


def test_an_attendance_held_behind_a_registration_cannot_replace_the_worker(nik_clash, auth, client):
    # Its conflict names the stored *worker*: keeping "incoming" would store nothing anywhere.
    registration, stored_id, _ = nik_clash
    record = attendance(ksm(number=2).id, registration["uuid"], "2021-05-03")
    [held] = as_faskel(auth, record)
    assert held["status"] == "conflict"
    conflict = one_conflict(record["uuid"])
    assert (conflict.kind, conflict.existing_kind) == ("attendance", "worker")
    sign_in(auth, "askot")
    response = resolve(auth, conflict.id, "incoming", htmx=True)
    assert ONLY_EXISTING in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict.id).status == "open"
    auth.logout()
    # The phone is not told its attendance was stored: it was not.
    sign_in(auth, "faskel")
    assert send_one(auth, record)["status"] == "conflict"
    assert count(Attendance, Attendance.uuid == record["uuid"]) == 0


# --- who may resolve --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["faskel", "bendahara"])
def test_field_staff_get_403(same_day, auth, client, username):
    _, _, conflict_id = same_day
    sign_in(auth, username)
    assert client.get("/conflicts/").status_code == 403
    assert resolve(auth, conflict_id, "existing").status_code == 403
    assert db.session.get(Conflict, conflict_id).status == "open"


def test_not_signed_in_goes_to_login(same_day, client):
    _, _, conflict_id = same_day
    response = client.get("/conflicts/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_supervisor_of_another_kota_gets_404(same_day, auth, client):
    record, stored_id, conflict_id = same_day
    bima = make_kota("Bima")
    other = make_user("supervisor", username="askot-bima", kota=bima)
    assert auth.login(other.username, PASSWORD).status_code == 302
    html = client.get("/conflicts/").get_data(as_text=True)
    assert f'id="conflict-{conflict_id}"' not in html
    assert "Tidak ada konflik" in html
    for keep in ("incoming", "existing"):
        assert resolve(auth, conflict_id, keep).status_code == 404
    assert db.session.get(Conflict, conflict_id).status == "open"
    assert db.session.get(Attendance, stored_id).present is False
    assert audit_rows() == []
    assert resolve(auth, 999_999, "existing").status_code == 404


def test_admin_resolves_anywhere(same_day, auth, client):
    _, stored_id, conflict_id = same_day
    sign_in(auth, "admin")
    assert resolve(auth, conflict_id, "incoming").status_code == 302
    assert db.session.get(Attendance, stored_id).present is True


# --- the phone after a resolution -------------------------------------------------------------------


def test_resend_after_keep_incoming_is_duplicate(same_day, auth, client):
    record, stored_id, conflict_id = same_day
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "incoming")
    auth.logout()
    sign_in(auth, "faskel")
    before = (count(Attendance), count(Conflict))
    assert send_one(auth, record) == {"uuid": record["uuid"], "status": "duplicate", "id": stored_id}
    assert (count(Attendance), count(Conflict)) == before


def test_resend_after_keep_existing_stores_nothing(same_day, auth, client):
    record, stored_id, conflict_id = same_day
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "existing")
    auth.logout()
    sign_in(auth, "faskel")
    before = (count(Attendance), count(Conflict))
    assert send_one(auth, record)["status"] == "conflict"
    assert (count(Attendance), count(Conflict)) == before
    assert db.session.get(Attendance, stored_id).present is False


def test_attendance_for_an_accepted_registration_reaches_the_stored_worker(demo, auth, client):
    # The phone names the worker by the uuid of its own registration, which became the stored worker.
    tk1, tk2 = ksm(), ksm(number=2)
    first, second = worker_record(tk1.id, name="Budi Santoso"), worker_record(tk2.id, name="Budi Santoso")
    created, _ = as_faskel(auth, first, second)
    sign_in(auth, "askot")
    resolve(auth, one_conflict(second["uuid"]).id, "incoming")
    auth.logout()
    [stored] = as_faskel(auth, attendance(tk2.id, second["uuid"], "2021-05-03"))
    assert stored["status"] == "created"
    assert db.session.get(Attendance, stored["id"]).worker_id == created["id"]


def test_resend_after_keep_existing_says_it_was_decided(same_day, auth, client):
    record, _, conflict_id = same_day
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "existing")
    auth.logout()
    sign_in(auth, "faskel")
    answer = send_one(auth, record)
    assert answer["status"] == "conflict"
    assert "sudah memutuskan" in answer["errors"]["record"]


def test_a_stored_worker_of_another_kota_is_neither_shown_nor_moved(demo, auth, client):
    # The same NIK registered in Bima: its supervisor sees the clash but not Mataram's worker.
    stored = demo_worker()
    bima = make_kota("Bima")
    from tests.factories import make_kelurahan, make_ksm

    kelurahan = make_kelurahan("Paruga", kota=bima, kecamatan_name="Rasanae Barat")
    bima_ksm = make_ksm(kelurahan, name="KSM Paruga 1")
    make_user("fasilitator", username="faskel-bima", kelurahan=[kelurahan])
    make_user("supervisor", username="askot-bima", kota=bima)
    record = worker_record(bima_ksm.id, nik=stored.nik, name="Abdul Rahman")
    assert auth.login("faskel-bima", PASSWORD).status_code == 302
    assert send_one(auth, record)["status"] == "conflict"
    auth.logout()
    assert auth.login("askot-bima", PASSWORD).status_code == 302
    html = client.get("/conflicts/").get_data(as_text=True)
    assert "di luar wilayah Anda" in html and stored.phone[-4:] not in html
    response = resolve(auth, one_conflict(record["uuid"]).id, "incoming", htmx=True)
    assert "di luar wilayah Anda" in response.get_data(as_text=True)
    assert db.session.get(Worker, stored.id).ksm_id == ksm().id


# --- conflict_id and held corrections (issue 9) ------------------------------------------------------


def test_a_conflict_answer_carries_its_conflict_id_first_on_resend_and_once_decided(demo, auth, client):
    record = attendance(ksm().id, demo_worker().uuid, "2021-04-20", present=True)
    [first] = as_faskel(auth, record)
    [again] = as_faskel(auth, record)
    conflict_id = one_conflict(record["uuid"]).id
    assert first["conflict_id"] == again["conflict_id"] == conflict_id
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "existing")
    auth.logout()
    [decided] = as_faskel(auth, record)
    assert (decided["status"], decided["conflict_id"]) == ("conflict", conflict_id)


def _held_correction(auth):
    """Abdul paid for 15–21 April, then his Friday 16 April unticked: held. (record, conflict, day)."""
    from tests.test_corrections import correction, day_as_sent
    from tests.test_payments import payment

    worker = demo_worker()
    sign_in(auth, "bendahara")
    assert send_one(auth, payment(ksm(), worker, days=5))["status"] == "created"
    auth.logout()
    record = correction(day_as_sent(worker, date(2021, 4, 16)), present=False)
    [held] = as_faskel(auth, record)
    assert held["status"] == "conflict"
    return record, one_conflict(record["uuid"]), db.session.get(Attendance, held["existing"]["id"])


def test_a_held_correction_may_be_kept_by_the_supervisor(demo, auth, client):
    record, conflict, day = _held_correction(auth)
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    item = html[html.index(f'id="conflict-{conflict.id}"') :]
    assert 'value="incoming"' in item[: item.index("</article>")]
    assert "sudah dibayar" in item[: item.index("</article>")]
    assert resolve(auth, conflict.id, "incoming").status_code == 302
    assert db.session.get(Attendance, day.id).present is False
    assert db.session.get(Attendance, day.id).version == record["uuid"]
    auth.logout()
    [resent] = as_faskel(auth, record)
    assert resent == {"uuid": record["uuid"], "status": "duplicate", "id": day.id}


def test_a_held_correction_is_not_kept_over_a_later_version(demo, auth, client):
    from tests.test_corrections import correction, day_as_sent

    record, conflict, day = _held_correction(auth)
    sign_in(auth, "bendahara")
    paid = db.session.scalars(db.select(Payment)).one()
    auth.post(f"/payments/payment/{paid.id}/reverse", reason="Salah hitung hari kerja")
    auth.logout()
    later = correction(day_as_sent(demo_worker(), date(2021, 4, 16)), present=False)
    [applied] = as_faskel(auth, later)  # no payment any more: applied at once
    assert applied["status"] == "created"
    sign_in(auth, "askot")
    response = resolve(auth, conflict.id, "incoming", htmx=True)
    assert "sudah dikoreksi lagi" in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict.id).status == "open"
    assert db.session.get(Attendance, day.id).version == later["uuid"]


def test_a_correction_clashing_with_another_worker_cannot_be_kept(demo, auth, client):
    from tests.test_corrections import correction, worker_as_sent

    abdul, other = demo_worker(), demo_worker("Baiq Fitriani")
    record = correction(worker_as_sent(other), nik=abdul.nik, gender=abdul.gender)
    [held] = as_faskel(auth, record)
    assert held["status"] == "conflict" and held["existing"]["id"] == abdul.id
    sign_in(auth, "askot")
    response = resolve(auth, held["conflict_id"], "incoming", htmx=True)
    assert "bentrok dengan data lain" in response.get_data(as_text=True)
    assert db.session.get(Worker, abdul.id).name == "Abdul Rahman"
    assert db.session.get(Worker, other.id).nik == other.nik


def test_keep_incoming_keeps_the_overwritten_day_as_history(same_day, auth, client):
    """Accepting a second record of the same day is a correction made by the supervisor: the stored
    version it overwrites stays in the riwayat, and the accepted record is the current version."""
    record, stored_id, conflict_id = same_day
    stored = db.session.get(Attendance, stored_id)
    old_version = stored.version
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "incoming")
    day = db.session.get(Attendance, stored_id)
    assert day.version == record["uuid"]
    assert [v.current for v in history(ATTENDANCE, day)] == [False, True]
    old, new = history(ATTENDANCE, day)
    assert (old.uuid, old.data["present"]) == (old_version, False)
    assert (new.uuid, new.data["present"]) == (record["uuid"], True)
    assert new.changed == [("present", False, True)]


def test_keep_incoming_registration_keeps_the_old_details_as_history(nik_clash, auth, client):
    record, stored_id, conflict_id = nik_clash
    old_name = db.session.get(Worker, stored_id).name
    db.session.execute(db.delete(Attendance).where(Attendance.worker_id == stored_id))
    sign_in(auth, "askot")
    resolve(auth, conflict_id, "incoming")
    worker = db.session.get(Worker, stored_id)
    assert worker.name == "Abdul Rahman Baru"
    old, new = history(WORKER, worker)
    assert (old.data["name"], new.data["name"]) == (old_name, "Abdul Rahman Baru")
    assert new.uuid == record["uuid"]
