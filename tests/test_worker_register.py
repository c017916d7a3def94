"""The worker register: search, filters, order, NIKs from elsewhere, duplicate NIKs (issue 9 item 8)."""

import re

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Worker
from tests.factories import PASSWORD, make_kelurahan, make_kota, make_ksm, make_user, nik, worker_record
from tests.test_sync import demo_worker, ksm, send_one, sign_in


def names(html) -> list[str]:
    """The names of the register's rows, in order (each row links to the worker's page)."""
    return re.findall(
        r'<li data-worker>\s*<a class="row-link" href="/workers/[0-9a-f-]{36}"><strong>([^<]*)</strong>', html
    )


@pytest.fixture
def faskel(demo, auth):
    return sign_in(auth, "faskel")


def test_search_by_name_or_the_last_digits_of_the_nik(faskel, client):
    abdul = demo_worker()
    tk1 = ksm().id
    by_name = client.get(f"/workers/?ksm_id={tk1}&q=abdul").get_data(as_text=True)
    assert names(by_name) == ["Abdul Rahman"]
    by_nik = client.get(f"/workers/?ksm_id={tk1}&q={abdul.nik[-4:]}").get_data(as_text=True)
    assert "Abdul Rahman" in names(by_nik) and len(names(by_nik)) < len(names(client.get("/workers/").text))
    assert names(client.get("/workers/?q=%25").get_data(as_text=True)) == []  # a wildcard is a letter


def test_filter_per_category_and_ksm_and_sort(faskel, client):
    tk1 = ksm().id
    tukang = names(client.get(f"/workers/?ksm_id={tk1}&category=tukang").get_data(as_text=True))
    stored = db.session.scalars(
        db.select(Worker.name).where(Worker.ksm_id == tk1, Worker.category == "tukang").order_by(Worker.name)
    ).all()
    assert tukang == stored and len(stored) >= 2
    by_category = names(client.get(f"/workers/?ksm_id={tk1}&sort=kategori").get_data(as_text=True))
    category = {w.name: w.category for w in db.session.scalars(db.select(Worker).where(Worker.ksm_id == tk1))}
    categories = [category[n] for n in by_category]
    assert categories == sorted(categories)
    assert names(client.get(f"/workers/?ksm_id={tk1}").get_data(as_text=True)) == sorted(
        db.session.scalars(db.select(Worker.name).where(Worker.ksm_id == tk1)).all()
    )


def test_htmx_gets_the_results_only(faskel, client):
    response = client.get("/workers/?q=abdul", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Abdul Rahman" in html and 'role="search"' not in html
    assert "HX-Request" in response.headers["Vary"]
    page = client.get("/workers/?q=abdul")
    assert "<html" in page.get_data(as_text=True) and 'value="abdul"' in page.get_data(as_text=True)


def test_a_nik_from_outside_the_kota_is_accepted_flagged_and_listed(faskel, auth, client):
    record = worker_record(ksm().id, nik=nik(region="520105", serial=77), name="Pendatang Lombok Barat")
    assert send_one(auth, record)["status"] == "created"
    html = client.get(f"/workers/?ksm_id={ksm().id}").get_data(as_text=True)
    row = html.split("Pendatang Lombok Barat")[1].split("</li>")[0]
    assert "NIK luar kota" in row
    assert html.count(">NIK luar kota<") == 1  # the demo's Mataram NIKs are not flagged
    assert names(client.get("/workers/?luar=1").get_data(as_text=True)) == ["Pendatang Lombok Barat"]
    auth.logout()
    sign_in(auth, "askot")
    home = client.get("/").get_data(as_text=True)
    assert "1 pekerja dengan NIK dari luar kota" in home


def test_a_duplicate_nik_names_the_ksm_in_scope(faskel, auth):
    stored = demo_worker()
    answer = send_one(auth, worker_record(ksm(number=2).id, nik=stored.nik, name="Abdul Lagi"))
    assert answer["status"] == "conflict"
    assert "Sudah terdaftar di KSM Tanjung Karang 1 (Kel. Tanjung Karang)" in answer["errors"]["record"]


def test_a_duplicate_nik_outside_scope_says_only_elsewhere(demo, auth):
    stored = demo_worker()
    bima = make_kota("Bima")
    kelurahan = make_kelurahan("Paruga", kota=bima, kecamatan_name="Rasanae Barat")
    make_ksm(kelurahan, name="KSM Paruga 1")
    make_user("fasilitator", username="faskel-bima", kelurahan=[kelurahan])
    assert auth.login("faskel-bima", PASSWORD).status_code == 302
    from kotaku_pwa.models import Ksm

    paruga = db.session.scalars(db.select(Ksm).where(Ksm.name == "KSM Paruga 1")).one()
    answer = send_one(auth, worker_record(paruga.id, nik=stored.nik, name="Abdul Rahman"))
    assert answer["status"] == "conflict"
    message = answer["errors"]["record"]
    assert "di luar wilayah tugas Anda" in message
    assert "Tanjung Karang" not in message and stored.name not in message


def test_a_search_of_every_ksm_shows_only_the_ksms_with_a_match(faskel, client):
    """Walked on a phone: one match sat below three empty KSMs, each with its own "no match" line."""
    html = client.get(f"/workers/?q={demo_worker().nik[-4:]}").get_data(as_text=True)
    assert names(html) == ["Abdul Rahman"]
    assert html.count("<section>") == 1 and "Tidak ada pekerja yang cocok" not in html
    nothing = client.get("/workers/?q=zzzz", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<section>" not in nothing and "Tidak ada pekerja yang cocok." in nothing
    chosen = client.get(f"/workers/?ksm_id={ksm().id}&q=zzzz").get_data(as_text=True)
    assert chosen.count("<section>") == 1 and "Tidak ada pekerja yang cocok." in chosen
