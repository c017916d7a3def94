"""Conflict cards people can read, and the supervisor's reason with every decision (issue 9 item 6)."""

from datetime import UTC, datetime

from kotaku_pwa import db
from kotaku_pwa.conflicts.cards import choices, readable
from kotaku_pwa.models import AuditLog, Conflict
from tests.test_conflicts import as_faskel, one_conflict, same_day  # noqa: F401
from tests.test_sync import demo_worker, ksm, send_one, sign_in

ZONE = "Asia/Makassar"
NAMES = {("worker", "a" * 8): "Abdul Rahman (KSM Tanjung Karang 1)", ("ksm", 3): "KSM Tanjung Karang 1"}


def test_values_read_as_words_in_one_style():
    rows = dict(
        readable(
            {
                "ksm_id": 3,
                "worker_uuid": "A" * 8,
                "work_date": "2021-05-04",
                "present": False,
                "amount": 475000,
                "signature": None,
                "photo": "data:image/jpeg;base64,xx",
                "method": "cash",
                "recorded_at": datetime(2021, 5, 4, 8, 5, tzinfo=UTC),
                "id": 7,
                "uuid": "x",
            },
            NAMES,
            ZONE,
        )
    )
    assert rows == {
        "KSM": "KSM Tanjung Karang 1",
        "Pekerja": "Abdul Rahman (KSM Tanjung Karang 1)",
        "Tanggal kerja": "Selasa, 4 Mei 2021",
        "Hadir": "Tidak",
        "Jumlah": "Rp 475.000",
        "Foto": "Ada",
        "Cara bayar": "Tunai",
        "Dicatat di HP": "4 Mei 2021 16.05 WITA",
    }


def test_an_unknown_reference_and_a_raw_nik_are_never_shown():
    rows = dict(readable({"worker_uuid": "b" * 8, "nik": "5271031203850001"}, NAMES, ZONE))
    assert rows == {"Pekerja": "(tidak dikenal)", "NIK": "5271••••••••0001"}


def test_each_button_says_what_it_does():
    keep, take = choices([("Hadir", "Ya"), ("Tanggal kerja", "Selasa, 20 April 2021")], [("Hadir", "Tidak")])
    assert keep == "Pertahankan data tersimpan: Hadir tetap Tidak."
    assert take == "Terima data baru: Hadir menjadi Ya."


def test_the_card_names_the_worker_and_ksm_in_words(same_day, auth, client):  # noqa: F811
    record, _, conflict_id = same_day
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    card = html.split(f'id="conflict-{conflict_id}"')[1].split("</article>")[0]
    assert "Abdul Rahman (KSM Tanjung Karang 1)" in card and "Kehadiran · Kel. Tanjung Karang" in card
    assert record["data"]["worker_uuid"] not in card and "worker_uuid" not in card
    assert "False" not in card and "True" not in card
    assert "Selasa, 20 April 2021" in card and "WITA" in card and "+08:00" not in card
    assert "Pertahankan data tersimpan: Hadir tetap Tidak." in card
    assert "Terima data baru: Hadir menjadi Ya." in card
    assert 'name="reason"' in card


def test_the_reason_is_stored_audited_shown_and_told_to_a_resend(same_day, auth, client):  # noqa: F811
    record, _, conflict_id = same_day
    sign_in(auth, "askot")
    why = "Buku kehadiran KSM mencatat Abdul tidak hadir hari itu."
    response = auth.client.post(
        f"/conflicts/{conflict_id}/resolve",
        data={"keep": "existing", "reason": why, "csrf_token": auth.token()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and why in response.get_data(as_text=True)
    assert db.session.get(Conflict, conflict_id).decision_reason == why
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "conflict_kept_existing")).one()
    assert entry.detail["reason"] == why
    assert why in client.get("/conflicts/?status=all").get_data(as_text=True)
    auth.logout()
    sign_in(auth, "faskel")
    assert why in send_one(auth, record)["errors"]["record"]


def test_a_reason_with_control_characters_or_too_long_is_refused(same_day, auth):  # noqa: F811
    _, _, conflict_id = same_day
    sign_in(auth, "askot")
    for reason in ("alasan\x00", "x" * 301):
        auth.client.post(
            f"/conflicts/{conflict_id}/resolve",
            data={"keep": "existing", "reason": reason, "csrf_token": auth.token()},
        )
        assert db.session.get(Conflict, conflict_id).status == "open"


def test_a_worker_card_names_both_ksm(demo, auth, client):
    stored = demo_worker()
    from tests.factories import worker_record

    record = worker_record(ksm(number=2).id, nik=stored.nik, name="Abdul Rahman Baru")
    [result] = as_faskel(auth, record)
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    card = html.split(f'id="conflict-{one_conflict(record["uuid"]).id}"')[1].split("</article>")[0]
    assert "KSM Tanjung Karang 2" in card and "KSM Tanjung Karang 1" in card
    assert "KSM tetap KSM Tanjung Karang 1" in card and "KSM menjadi KSM Tanjung Karang 2" in card
    assert result["status"] == "conflict"
    assert "<h3>Pendaftaran pekerja · Kel. Tanjung Karang</h3>" in card


def test_a_held_correction_is_titled_a_correction():
    from types import SimpleNamespace

    from kotaku_pwa.conflicts.cards import title

    assert title(SimpleNamespace(kind="worker", replaces=None)) == "Pendaftaran pekerja"
    assert title(SimpleNamespace(kind="worker", replaces="a" * 36)) == "Koreksi data pekerja"
    assert title(SimpleNamespace(kind="attendance", replaces="a" * 36)) == "Koreksi data kehadiran"


def test_every_record_kind_has_a_card_title():
    from kotaku_pwa.conflicts.cards import KIND_LABELS
    from kotaku_pwa.records.registry import KINDS

    assert set(KINDS) <= set(KIND_LABELS)


def test_a_verified_period_card_reads_in_words_and_says_how_to_accept(demo, auth, client):
    """Walked on a phone: the stored side read "Decision: verified", "Reason", and the card offered only
    "keep" without saying how the change could ever be accepted."""
    from tests.test_verification import decision, send, sunday_attendance

    tk1 = ksm()
    send(auth, "askot", decision(tk1.id, "verified"))
    record = sunday_attendance(tk1)
    send(auth, "faskel", record)
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    card = html.split(f'id="conflict-{one_conflict(record["uuid"]).id}"')[1].split("</article>")[0]
    assert "Keputusan" in card and "Diverifikasi" in card and "Alasan" in card
    assert "Decision" not in card and "<dd>verified" not in card and "Reason" not in card
    assert "data-verified-period" in card and "kembalikan periode ini" in card


def test_the_stored_version_is_bookkeeping_and_the_kind_filter_reads_in_words(same_day, auth, client):  # noqa: F811
    assert dict(readable({"version": "a" * 36, "present": True}, NAMES, ZONE)) == {"Hadir": "Ya"}
    sign_in(auth, "askot")
    html = client.get("/conflicts/").get_data(as_text=True)
    assert '<option value="health_check" >Cek protokol kesehatan</option>' in html
    assert ">health_check<" not in html and "Version" not in html


def test_every_field_of_every_kind_has_an_indonesian_label():
    from kotaku_pwa.conflicts.cards import HIDDEN, LABELS
    from kotaku_pwa.records.registry import KINDS

    columns = {c.name for kind in KINDS.values() for c in kind.model.__table__.columns}
    assert columns - set(LABELS) - HIDDEN == set()
