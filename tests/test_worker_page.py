"""The worker page: details, status, attendance, payments and history, with edit and (de)activation for
those who register workers (issue 9 items 2, 5 and 8).

Worked by hand on the demo: Abdul Rahman (KSM Tanjung Karang 1, mandor, Rp 95.000 a day) has attendance
from 15 to 28 April 2021 except Sundays, absent on Tuesday 20 April: his first pay week, 15–21 April,
holds 5 HOK (15, 16, 17, 19, 21) = Rp 475.000; the second, 22–28 April, 5 HOK too (absent on the 27th).
"""

import json
import re

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Ksm, Worker
from tests.factories import PASSWORD, make_kelurahan, make_kota, make_user, nik, worker_record
from tests.test_corrections import correction, deactivate, worker_as_sent
from tests.test_payments import payment
from tests.test_sync import demo_worker, ksm, send_one, sign_in


@pytest.fixture
def faskel(demo, auth):
    return sign_in(auth, "faskel")


def page_of(client, worker) -> str:
    response = client.get(f"/workers/{worker.uuid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(html) -> str:
    """The page's words, without tags and with single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html, marker) -> str:
    """What follows the tag holding `marker` (an attribute), up to the next heading."""
    return html.split(marker, 1)[1].split(">", 1)[1].split("<h2", 1)[0]


def test_the_page_shows_the_details_masked_and_the_days_per_pay_period(faskel, client):
    abdul = demo_worker()
    html = page_of(client, abdul)
    words = text(html)
    assert "<h1>Abdul Rahman</h1>" in html
    details = text(section(html, '<dl class="values card person">'))
    assert f"NIK {abdul.nik[:4]}••••••••{abdul.nik[-4:]}" in details
    assert "Kategori Mandor" in details and "Jenis kelamin Laki-laki" in details
    assert "KSM KSM Tanjung Karang 1" in details and "Kelurahan Tanjung Karang" in details
    assert "Tulang punggung keluarga (bukan anak di bawah umur) Ya" in details
    assert "Aktif" in text(section(html, "data-worker-status"))
    days = text(section(html, "data-worker-attendance"))
    assert "15 April 2021 – 21 April 2021 : 5 HOK · Rp 475.000" in days
    assert "Hadir tgl 15, 16, 17, 19, 21 · tidak hadir tgl 20" in days
    assert "22 April 2021 – 28 April 2021 : 5 HOK · Rp 475.000" in days
    assert "Hadir tgl 22, 23, 24, 26, 28 · tidak hadir tgl 27" in days
    assert "Jumlah 10 HOK × Rp 95.000 (mandor)" in words
    assert "Belum ada pembayaran upah." in words
    riwayat = text(section(html, "data-history"))
    assert "Versi pertama berlaku" in riwayat and "WITA" in riwayat and "Belum pernah diubah." in words


def test_every_worker_in_the_register_links_to_their_page(faskel, client):
    html = client.get(f"/workers/?ksm_id={ksm().id}").get_data(as_text=True)
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm().id)).all()
    links = re.findall(r'<li data-worker>\s*<a class="row-link" href="/workers/([0-9a-f-]{36})">', html)
    assert sorted(links) == sorted(w.uuid for w in workers) and len(links) > 5
    assert all(client.get(f"/workers/{uuid}").status_code == 200 for uuid in links[:3])


def test_outside_the_scope_or_unknown_is_404(demo, auth, client):
    abdul = demo_worker()
    bima = make_kota("Bima")
    paruga = make_kelurahan("Paruga", kota=bima, kecamatan_name="Rasanae Barat")
    make_user("supervisor", "askot-bima", kota=bima)
    make_user("fasilitator", "faskel-bima", kelurahan=[paruga])
    for username in ("askot-bima", "faskel-bima"):
        assert (
            auth.client.post(
                "/login", data={"username": username, "password": PASSWORD, "csrf_token": auth.token()}
            ).status_code
            == 302
        )
        assert client.get(f"/workers/{abdul.uuid}").status_code == 404
        assert client.get(f"/workers/{abdul.uuid.upper()}").status_code == 404
        auth.logout()
    sign_in(auth, "faskel")
    assert client.get("/workers/not-a-uuid").status_code == 404
    assert client.get("/workers/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get(f"/workers/{abdul.uuid.upper()}").status_code == 200


@pytest.mark.parametrize(
    ("username", "ksm_name", "status"),
    [
        ("bendahara", "KSM Tanjung Karang 1", 200),
        ("bendahara", "KSM Tanjung Karang 2", 404),  # the treasurer reads her own KSM only
        ("faskel", "KSM Pagutan 1", 200),
        ("faskel", "KSM Kebon Sari 1", 404),  # another facilitator's kelurahan
        ("askot", "KSM Kebon Sari 1", 200),
    ],
)
def test_a_worker_of_another_ksm_or_kelurahan_in_the_kota_is_404_too(
    demo, auth, client, username, ksm_name, status
):
    place = db.session.execute(db.select(Ksm).where(Ksm.name == ksm_name)).scalar_one()
    sign_in(auth, "admin")
    record = worker_record(place.id, nik=nik(serial=901), name="Pekerja Uji Lingkup")
    assert send_one(auth, record)["status"] == "created"
    auth.logout()
    sign_in(auth, username)
    response = client.get(f"/workers/{record['uuid']}")
    assert response.status_code == status
    assert ("Pekerja Uji Lingkup" in response.get_data(as_text=True)) == (status == 200)


def test_the_treasurer_and_the_supervisor_read_but_get_no_edit_controls(demo, auth, client):
    abdul = demo_worker()
    for username in ("bendahara", "askot"):
        sign_in(auth, username)
        html = page_of(client, abdul)
        assert "Abdul Rahman" in html and "Riwayat" in html
        assert f"/workers/{abdul.uuid}/edit" not in html and "Ubah data" not in html
        assert "Nonaktifkan" not in html
        assert abdul.nik not in html  # only the edit form carries the whole NIK
        assert client.get(f"/workers/{abdul.uuid}/edit").status_code == 403
        auth.logout()


def edit_form(client, worker) -> str:
    response = client.get(f"/workers/{worker.uuid}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return "<form" + html.split('<form class="stack" data-outbox="worker"', 1)[1].split("</form>", 1)[0]


def test_the_edit_form_is_filled_from_the_current_version_and_names_it(faskel, client):
    abdul = demo_worker()
    page = page_of(client, abdul)
    assert f'href="/workers/{abdul.uuid}/edit" data-offline>Ubah data</a>' in page  # kept offline
    assert f'href="/workers/{abdul.uuid}/edit#status">Nonaktifkan</a>' in page
    form = edit_form(client, abdul)
    assert f'data-replaces="{abdul.version}" data-after-save="/workers/{abdul.uuid}"' in form
    current = json.loads(
        re.search(r"<script type=\"application/json\" data-current>(.*?)</script>", form).group(1)
    )
    assert current == {
        "ksm_id": abdul.ksm_id,
        "nik": abdul.nik,
        "name": "Abdul Rahman",
        "gender": "L",
        "category": "mandor",
        "phone": abdul.phone or "",
        "low_income_covid": abdul.low_income_covid,
        "lost_income": abdul.lost_income,
        "breadwinner": abdul.breadwinner,
        "active": True,
        "inactive_from": "",
        "inactive_reason": "",
    }
    assert f'value="{abdul.nik}"' in form and 'value="Abdul Rahman"' in form  # also without the script
    assert re.search(r'value="L" required checked', form) and '<option value="mandor" selected>' in form
    # Abdul has HOK: his KSM cannot change (the server refuses it), so no KSM choice is offered.
    assert f'<input type="hidden" name="ksm_id" data-type="int" value="{abdul.ksm_id}">' in form
    assert "KSM tidak dapat diubah" in form and '<select id="ksm_id"' not in form
    status = form.split('id="status"', 1)[1]
    assert '<input type="checkbox" name="active" data-type="bool" checked>' in status
    assert 'name="inactive_reason"' in status and 'minlength="5"' in status
    assert 'min="2021-04-15"' in status and 'max="2021-07-15"' in status


def test_a_worker_without_days_may_move_to_another_ksm_of_the_user(faskel, client):
    record = worker_record(ksm().id, nik=nik(serial=902), name="Pekerja Baru")
    assert send_one(faskel, record)["status"] == "created"
    newcomer = db.session.execute(db.select(Worker).where(Worker.uuid == record["uuid"])).scalar_one()
    form = edit_form(client, newcomer)
    choices = re.findall(
        r'<option value="(\d+)"', form.split('<select id="ksm_id"', 1)[1].split("</select>")[0]
    )
    assert len(choices) > 1 and str(ksm().id) in choices and "KSM tidak dapat diubah" not in form


def test_a_correction_sent_through_sync_is_the_current_version_and_the_old_one_history(faskel, client):
    abdul = demo_worker()
    first = abdul.version
    fixed = correction(worker_as_sent(abdul), name="Abdul Rahman Hakim", phone="081911112222")
    assert send_one(faskel, fixed)["status"] == "created"
    html = page_of(client, abdul)
    assert "<h1>Abdul Rahman Hakim</h1>" in html
    assert f'data-version="{fixed["uuid"]}"' in html and f'data-versions="{first} {fixed["uuid"]}"' in html
    assert f'data-replaces="{fixed["uuid"]}"' in edit_form(client, abdul)
    riwayat = text(section(html, "data-history"))
    newest, oldest = riwayat.split("Versi pertama")
    assert newest.strip().startswith("Perubahan ke-1 berlaku")
    assert "oleh Rina Marlina (Faskel)" in newest and "WITA" in newest
    assert "Nama: Abdul Rahman → Abdul Rahman Hakim" in newest
    assert "Nomor HP: " in newest and "0819••••2222" in newest  # masked as everywhere
    assert "Kategori" not in newest  # only what changed


def test_a_deactivation_shows_its_date_and_reason_and_offers_reactivation(faskel, client):
    abdul = demo_worker()
    assert send_one(faskel, deactivate(abdul, since="2021-04-26"))["status"] == "created"
    html = page_of(client, abdul)
    status = text(section(html, "data-worker-status"))
    assert "Nonaktif mulai 26 April 2021" in status and "Alasan: Pindah kerja ke luar kota" in status
    riwayat = text(section(html, "data-history"))
    assert "Aktif: Ya → Tidak" in riwayat and "Nonaktif mulai: – → Senin, 26 April 2021" in riwayat
    assert "Alasan nonaktif: – → Pindah kerja ke luar kota" in riwayat
    assert f'href="/workers/{abdul.uuid}/edit#status">Aktifkan kembali</a>' in html
    # An edit of a deactivated worker keeps them deactivated.
    form = edit_form(client, abdul)
    assert '<input type="checkbox" name="active" data-type="bool" >' in form
    assert 'value="2021-04-26"' in form and "Pindah kerja ke luar kota</textarea>" in form
    # The register says so too, and the day page names who is off its list (attendance.js).
    register = client.get(f"/workers/?ksm_id={abdul.ksm_id}").get_data(as_text=True)
    assert "Nonaktif mulai 26 April 2021" in register.split("Abdul Rahman", 1)[1].split("</li>", 1)[0]
    later = client.get(f"/attendance/{abdul.ksm_id}/2021-04-29").get_data(as_text=True)
    assert abdul.uuid in re.search(r'data-off-list="([^"]*)"', later).group(1)
    assert f'value="{abdul.uuid}"' not in later
    recorded = client.get(f"/attendance/{abdul.ksm_id}/2021-04-27").get_data(as_text=True)
    assert f'value="{abdul.uuid}"' in recorded
    assert abdul.uuid not in re.search(r'data-off-list="([^"]*)"', recorded).group(1)


def test_a_nik_from_outside_the_kota_is_flagged_and_explained(faskel, client):
    record = worker_record(ksm().id, nik=nik(region="520105", serial=77), name="Pendatang Lombok Barat")
    assert send_one(faskel, record)["status"] == "created"
    newcomer = db.session.execute(db.select(Worker).where(Worker.uuid == record["uuid"])).scalar_one()
    html = page_of(client, newcomer)
    assert "NIK luar kota" in text(section(html, '<dl class="values card person">'))
    explained = text(section(html, "data-outside-kota"))
    assert "(5201) bukan kode Mataram (5271)" in explained and "bukan penolakan" in explained
    assert "data-outside-kota" not in page_of(client, demo_worker())


def test_payments_show_amount_date_method_proof_and_reversal(demo, auth, client):
    abdul = demo_worker()
    tk1 = ksm()
    sign_in(auth, "bendahara")
    signed = payment(tk1, abdul)
    assert send_one(auth, signed)["status"] == "created"
    auth.logout()
    sign_in(auth, "faskel")
    html = page_of(client, abdul)
    paid = section(html, "data-worker-payments")
    words = text(paid)
    assert "Rp 475.000 5 HOK × Rp 95.000" in words
    assert "dibayar 23 April 2021 · tunai" in words and "Tanpa bukti" not in words
    [link] = re.findall(r'href="(/payments/payment/\d+/signature.png)"', paid)
    assert client.get(link).status_code == 200 and client.get(link).mimetype == "image/png"
    assert "Foto cap jempol" not in paid and f"/payments/{tk1.id}/2021-04-15" in paid


def test_a_flagged_and_a_reversed_payment_say_so(demo, auth, client):
    abdul = demo_worker()
    tk1 = ksm()
    sign_in(auth, "bendahara")
    no_proof = payment(tk1, abdul, signature=None, no_proof_reason="HP mati, tanda tangan di kertas")
    assert send_one(auth, no_proof)["status"] == "created"
    paid = db.session.execute(db.select(Worker).where(Worker.id == abdul.id)).scalar_one()
    from kotaku_pwa.models import Payment

    stored = db.session.execute(db.select(Payment).where(Payment.uuid == no_proof["uuid"])).scalar_one()
    html = page_of(client, paid)
    assert "Tanpa bukti" in html and "Alasan tanpa bukti: HP mati, tanda tangan di kertas" in text(html)
    assert auth.post(f"/payments/payment/{stored.id}/reverse", reason="Salah periode").status_code == 302
    html = page_of(client, paid)
    words = text(section(html, "data-worker-payments"))
    assert (
        "Dibatalkan" in words and "Alasan pembatalan: Salah periode" in words and "Tanpa bukti" not in words
    )
