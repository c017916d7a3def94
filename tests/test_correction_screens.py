"""The correction screens (issue 9 items 2, 3 and 5): the meeting and health-check edit pages (who may
open them, filled from the current version), the meeting page's riwayat, and the conflict card of a
held correction of a paid day, which shows the payment and what accepting it means in rupiah.

Demo data: the faskel works in Tanjung Karang and Pagutan (Kebon Sari is outside); the bendahara keeps
KSM Tanjung Karang 1; Abdul Rahman (mandor, Rp 95.000 a day) worked 5 days of 15–21 April 2021.
"""

import html
import json
import re
from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Meeting
from tests.factories import sync
from tests.test_corrections import correction, day_as_sent, paid_week  # noqa: F401
from tests.test_meetings import health, meeting, page
from tests.test_sync import demo_worker, ksm, send_one, sign_in


def current_of(text) -> dict:
    """The version an edit page starts from (its [data-current] JSON)."""
    found = re.search(r"<script type=\"application/json\" data-current>(.*?)</script>", text, re.S)
    return json.loads(html.unescape(found.group(1)))


def replaces_of(text) -> str:
    return re.search(r'data-replaces="([^"]+)"', text).group(1)


@pytest.fixture
def recorded(demo, auth):
    """A coaching KSM of KSM Tanjung Karang 1 and its health check, recorded by the faskel."""
    sign_in(auth, "faskel")
    held = meeting()
    check = health(held)
    made, checked = sync(auth, held, check)
    assert (made["status"], checked["status"]) == ("created", "created")
    return held, check, made["id"], checked["id"]


def test_the_meeting_edit_page_starts_from_the_current_version(recorded, auth, client):
    held, _, meeting_id, _ = recorded
    text = page(client, f"/meetings/{meeting_id}/edit")
    assert "Ubah pertemuan" in text and "Simpan perubahan" in text
    assert replaces_of(text) == held["uuid"]
    current = current_of(text)
    assert current["place"] == "Aula Kantor Lurah" and current["topics"] == ["concept", "funds", "lpj"]
    assert [a["name"] for a in current["attendees"]] == [a["name"] for a in held["data"]["attendees"]]
    assert 'name="with_health"' not in text  # the check is corrected on its own page
    fixed = correction(held, place="Balai RW 02")
    assert send_one(auth, fixed)["status"] == "created"
    text = page(client, f"/meetings/{meeting_id}/edit")
    assert replaces_of(text) == fixed["uuid"] and current_of(text)["place"] == "Balai RW 02"


def test_the_health_check_edit_page_names_the_meeting_by_its_identity(recorded, auth, client):
    held, check, meeting_id, check_id = recorded
    send_one(auth, correction(held, place="Balai RW 02"))  # the meeting has a new version now
    text = page(client, f"/meetings/check/{check_id}/edit")
    assert replaces_of(text) == check["uuid"] and 'data-outbox="health_check"' in text
    current = current_of(text)
    assert current["meeting_uuid"] == held["uuid"] and current["masks_worn"] == 4
    assert current["checked_on"] == "2021-04-12" and current["setting"] == "meeting"
    assert f"/meetings/check/{check_id}/edit" in page(client, f"/meetings/{meeting_id}")


def test_a_worksite_check_is_edited_from_the_meetings_list(demo, auth, client):
    sign_in(auth, "bendahara")  # the treasurer writes her KSM's health checks
    [result] = sync(auth, health())
    check_id = result["id"]
    assert f"/meetings/check/{check_id}/edit" in page(client, "/meetings/")
    current = current_of(page(client, f"/meetings/check/{check_id}/edit"))
    assert (current["setting"], current["temp_noon"], current["ksm_id"]) == ("worksite", True, ksm().id)


def test_only_the_writers_in_scope_open_the_edit_pages(recorded, auth, client):
    _, _, meeting_id, check_id = recorded
    auth.logout()
    sign_in(auth, "admin")
    elsewhere = meeting("Kebon Sari")
    outside, outside_check = sync(auth, elsewhere, health(elsewhere))
    auth.logout()
    sign_in(auth, "faskel")
    page(client, f"/meetings/{outside['id']}/edit", 404)
    page(client, "/meetings/999999/edit", 404)
    page(client, f"/meetings/check/{outside_check['id']}/edit", 404)
    page(client, "/meetings/check/999999/edit", 404)
    auth.logout()
    sign_in(auth, "bendahara")
    page(client, f"/meetings/{meeting_id}/edit", 403)  # a treasurer does not write meetings
    page(client, f"/meetings/check/{check_id}/edit")  # but writes her KSM's checks
    assert "/edit" not in re.sub(r"/meetings/check/\d+/edit", "", page(client, f"/meetings/{meeting_id}"))
    auth.logout()
    sign_in(auth, "askot")  # a supervisor reads, and changes nothing
    page(client, f"/meetings/{meeting_id}/edit", 403)
    page(client, f"/meetings/check/{check_id}/edit", 403)
    text = page(client, f"/meetings/{meeting_id}")
    assert "/edit" not in text and "Riwayat" in text


def test_the_meeting_page_shows_its_riwayat_in_words(recorded, auth, client):
    held, _, meeting_id, _ = recorded
    assert "Belum pernah diubah." in page(client, f"/meetings/{meeting_id}")
    fewer = held["data"]["attendees"][:2]
    fixed = correction(held, place="Balai RW 02", attendees=fewer, topics=["concept"])
    fixed["recorded_at"] = "2021-04-13T09:30:00+08:00"
    assert send_one(auth, fixed)["status"] == "created"
    text = html.unescape(page(client, f"/meetings/{meeting_id}"))
    riwayat = text[text.index("<h2>Riwayat</h2>") :]
    assert "Perubahan ke-1" in riwayat and "Versi pertama" in riwayat
    assert riwayat.index("Perubahan ke-1") < riwayat.index("Versi pertama")  # newest first
    assert "Tempat: <del>Aula Kantor Lurah</del> → <ins>Balai RW 02</ins>" in riwayat
    gone = ", ".join(a["name"] for a in held["data"]["attendees"][2:])
    assert f"Peserta: <del>4 orang</del> → <ins>2 orang (keluar: {gone})</ins>" in riwayat
    assert "Materi:" in riwayat and "funds" not in riwayat  # codes read as their labels
    assert "dicatat di HP 13 April 2021 09.30 WITA" in riwayat
    assert riwayat.count("oleh Rina Marlina (Faskel)") == 2
    assert riwayat.count("WITA") >= 3 and "UTC" not in riwayat
    assert db.session.get(Meeting, meeting_id).place == "Balai RW 02"


def test_a_held_correction_of_a_paid_day_shows_the_payment_and_the_rupiah(paid_week, auth, client):  # noqa: F811
    abdul, paid = paid_week
    sign_in(auth, "faskel")
    unticked = correction(day_as_sent(abdul, date(2021, 4, 16)), present=False)
    conflict_id = send_one(auth, unticked)["conflict_id"]
    auth.logout()
    sign_in(auth, "askot")
    text = html.unescape(page(client, "/conflicts/"))
    card = text[text.index(f'id="conflict-{conflict_id}"') :]
    card = card[: card.index("</article>")]
    assert "Sudah dibayar Rp 475.000 untuk 5 HOK periode 15 April 2021 – 21 April 2021" in card
    assert "pada Jumat, 23 April 2021, ditandatangani" in card
    assert "Bila diterima: HOK periode ini menjadi 4 (dibayar 5); upah kini Rp 380.000" in card
    assert "kelebihan bayar Rp 95.000, tampil di daftar upah dan buku kas" in card
    assert "Terima data baru: Hadir menjadi Tidak (kelebihan bayar Rp 95.000)." in card
    assert demo_worker().id == abdul.id
    # Accepted: the card says what was decided, no longer what accepting would mean.
    decided = auth.client.post(
        f"/conflicts/{conflict_id}/resolve",
        data={"keep": "incoming", "reason": "Abdul sakit hari itu.", "csrf_token": auth.token()},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Data baru diterima" in decided and "Bila diterima" not in decided
