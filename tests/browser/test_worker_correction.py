"""The worker page on a 360 px phone (issue 9 items 2 and 5): a worker corrected offline, synced once,
shown with their history; deactivated with a reason, leaving the attendance list from that day on; a
correction held for a supervisor shown as waiting, then with the decision and its reason."""

from kotaku_pwa import db
from kotaku_pwa.models import Conflict, RecordVersion, Worker
from tests.test_corrections import correction, worker_as_sent

from .conftest import form_status, records, sign_in, until, wait_synced

FORM = 'form[data-outbox="worker"]'
SAVE = f"{FORM} button[type=submit]"


def stored(server, uuid) -> Worker:
    with server.app.app_context():
        worker = db.session.execute(db.select(Worker).where(Worker.uuid == uuid)).scalar_one()
        db.session.expunge(worker)
        return worker


def history(server, worker) -> list[dict]:
    with server.app.app_context():
        return [
            v.data
            for v in db.session.scalars(
                db.select(RecordVersion)
                .where(RecordVersion.kind == "worker", RecordVersion.record_id == worker.id)
                .order_by(RecordVersion.id)
            )
        ]


def notes(page) -> str:
    return page.inner_text("[data-phone-notes]")


def test_a_name_corrected_offline_syncs_once_and_the_old_one_stays_as_history(
    fresh_ksm, server, context, page
):
    uuid = fresh_ksm["workers"][0]  # Ahmad Uji
    first = stored(server, uuid).version
    sign_in(page)
    page.goto(f"/workers/{uuid}")  # opened once online: kept, and its edit page warmed (data-offline)
    assert page.inner_text("h1") == "Ahmad Uji"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    until(page, f"async () => Boolean(await caches.match('/workers/{uuid}/edit', {{ignoreVary: true}}))")

    context.set_offline(True)
    page.click("text=Ubah data")  # from the service worker's cache
    page.fill("#name", "Ahmad Uji Saputra")
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    # A second correction replaces the first one, never the stale version again.
    page.fill("#phone", "081234567001")
    page.click(SAVE)
    until(page, "async () => (await Outbox.all()).filter((r) => r.kind === 'worker').length === 2")
    one, two = [r for r in records(page) if r["kind"] == "worker"]
    assert (one["replaces"], two["replaces"]) == (first, one["uuid"])
    assert (two["data"]["name"], two["data"]["phone"]) == ("Ahmad Uji Saputra", "081234567001")
    # Opened again offline, the form starts from the phone's newest version.
    page.reload()
    until(page, "() => !document.querySelector('[data-from-phone]').hidden")
    assert (page.input_value("#name"), page.input_value("#phone")) == ("Ahmad Uji Saputra", "081234567001")
    assert page.get_attribute(FORM, "data-replaces") == two["uuid"]
    # The worker page keeps the server's name and says what waits on the phone.
    page.goto(f"/workers/{uuid}")
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('belum terkirim')")
    assert page.inner_text("h1") == "Ahmad Uji"
    assert "Koreksi pekerja: Ahmad Uji Saputra — tersimpan di HP, belum terkirim." in notes(page)

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    worker = stored(server, uuid)
    assert (worker.name, worker.phone, worker.version) == ("Ahmad Uji Saputra", "081234567001", two["uuid"])
    assert [v["name"] for v in history(server, worker)] == ["Ahmad Uji", "Ahmad Uji Saputra"]
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('terkirim ke server')")
    assert page.is_visible("[data-reload]")  # this page shows the server as it was
    # The phone keeps only a masked NIK of what the server holds (outbox.js): the edit page kept from
    # before takes the phone's newest values, never that NIK.
    assert all("•" in r["data"]["nik"] for r in records(page) if r["kind"] == "worker")
    context.set_offline(True)
    page.goto(f"/workers/{uuid}/edit")
    until(page, "() => !document.querySelector('[data-from-phone]').hidden")
    assert (page.input_value("#name"), page.input_value("#nik")) == ("Ahmad Uji Saputra", worker.nik)
    context.set_offline(False)
    page.goto(f"/workers/{uuid}")
    assert page.inner_text("h1") == "Ahmad Uji Saputra"
    assert page.is_hidden("[data-phone-state]")
    riwayat = page.inner_text("[data-history]")
    assert "Nama: Ahmad Uji → Ahmad Uji Saputra" in riwayat and "Versi pertama" in riwayat
    assert "Perubahan ke-2" in riwayat and "WITA" in riwayat and "Rina Marlina" in riwayat


def test_a_worker_deactivated_with_a_reason_leaves_the_day_list_from_that_day(
    fresh_ksm, server, context, page
):
    ksm_id, uuid = fresh_ksm["id"], fresh_ksm["workers"][1]  # Baiq Uji
    sign_in(page)
    # A day recorded before the deactivation keeps her.
    page.goto(f"/attendance/{ksm_id}/2021-04-20")
    page.check(f'input[name="present"][value="{uuid}"]')
    page.click('form[data-outbox="attendance"] button[type=submit]')
    wait_synced(page, at_least=1)

    page.goto(f"/workers/{uuid}")
    page.click("text=Nonaktifkan")
    assert page.is_hidden("#inactive_reason")
    page.uncheck('input[name="active"]')  # from when and why
    assert page.input_value("#inactive_from")  # today, kept inside the KSM's period
    page.fill("#inactive_from", "2021-04-22")
    page.fill("#inactive_reason", "Ok")  # too short: asked again, in Indonesian, nothing saved
    page.click(SAVE)
    assert "Paling sedikit 5 karakter." in page.inner_text(FORM)
    page.fill("#inactive_reason", "Pindah ke Sumbawa")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click(SAVE)
    assert asked == ["Nonaktifkan Baiq Uji mulai 22 April 2021?"]
    assert [r for r in records(page) if r["kind"] == "worker"] == []  # "Batal": nothing saved
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=f"**/workers/{uuid}"):  # the server's page once it has it
        page.click(SAVE)
    page.wait_for_selector("[data-history]")
    assert "Nonaktif mulai 22 April 2021" in page.inner_text("[data-worker-status]")
    assert "Pindah ke Sumbawa" in page.inner_text("[data-worker-status]")
    assert "Aktif: Ya → Tidak" in page.inner_text("[data-history]")
    worker = stored(server, uuid)
    assert (worker.active, worker.inactive_reason) == (False, "Pindah ke Sumbawa")

    def listed(day):
        page.goto(f"/attendance/{ksm_id}/{day}")
        page.wait_for_selector("form[data-phone-data=shown]", state="attached")  # what the phone knows too
        assert page.locator("input[name=present]").count() >= 2
        return page.locator(f'input[name="present"][value="{uuid}"]').count() == 1

    assert listed("2021-04-21")  # before the date
    assert listed("2021-04-20")  # recorded
    assert not listed("2021-04-22") and not listed("2021-05-03")
    # Offline, a day never opened shows another day's page of the KSM, then the day asked for: her
    # deactivation counts there too, as the phone's reference data has it (attendance.js).
    page.evaluate("sessionStorage.clear()")  # the reference is fetched again at the next page
    page.goto(f"/workers/{uuid}")
    off = f"(w) => w.uuid === '{uuid}' && !w.active"
    until(page, f"async () => (await Outbox.getMeta('reference')).workers.some({off})")
    context.set_offline(True)
    page.goto(f"/attendance/{ksm_id}/2021-04-26")
    until(page, "() => !document.querySelector('[data-day-offline]').hidden")
    until(page, "() => document.querySelector('[data-worker-count]').textContent === '2'")
    assert page.locator(f'input[name="present"][value="{uuid}"]').count() == 0
    context.set_offline(False)
    # The register says so, and her page offers to activate her again.
    page.goto(f"/workers/?ksm_id={ksm_id}")
    assert "Nonaktif mulai 22 April 2021" in page.locator("li[data-worker]", has_text="Baiq Uji").inner_text()
    page.goto(f"/workers/{uuid}")
    page.click("text=Aktifkan kembali")
    page.check('input[name="active"]')
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation(url=f"**/workers/{uuid}"):
        page.click(SAVE)
    page.wait_for_selector("[data-history]")
    assert asked[-1] == "Aktifkan kembali Baiq Uji?"
    assert page.inner_text("[data-worker-status]").strip() == "Aktif"
    assert "Aktif: Tidak → Ya" in page.inner_text("[data-history]")


def test_a_correction_held_for_a_supervisor_shows_waiting_then_the_decision(fresh_ksm, server, page):
    uuid = fresh_ksm["workers"][2]  # Candra Uji
    sign_in(page)
    page.goto(f"/workers/{uuid}/edit")
    # Meanwhile the admin corrects him on a laptop: the version this form names is no longer current.
    admin = Desk(server, "admin")
    assert (
        admin.sync(correction(worker_as_sent(stored(server, uuid)), name="Candra Uji Admin"))["status"]
        == "created"
    )

    page.fill("#name", "Candra Uji Faskel")
    page.click(SAVE)
    form_status(page, "bentrok")
    page.goto(f"/workers/{uuid}")
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('menunggu keputusan')")
    assert "Koreksi pekerja: Candra Uji Faskel — menunggu keputusan supervisor." in notes(page)
    assert page.inner_text("h1") == "Candra Uji Admin"  # the server's; the held one is not applied
    [held] = [r for r in records(page) if r["kind"] == "worker"]

    supervisor = Desk(server, "askot")
    with server.app.app_context():
        conflict_id = db.session.execute(
            db.select(Conflict.id).where(Conflict.uuid == held["uuid"])
        ).scalar_one()
    answer = supervisor.post(
        f"/conflicts/{conflict_id}/resolve", keep="existing", reason="Nama sesuai KTP dari admin."
    )
    assert answer.status_code == 302
    page.evaluate("Outbox.sync({force: true})")
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('Alasan:')")
    text = notes(page)
    assert "Supervisor mempertahankan data tersimpan" in text and "Nama sesuai KTP dari admin." in text
    assert "WITA" in text and "menunggu" not in text
    # The next correction replaces the admin's version, from the admin's values.
    page.goto(f"/workers/{uuid}/edit")
    assert page.input_value("#name") == "Candra Uji Admin"
    assert page.get_attribute(FORM, "data-replaces") == stored(server, uuid).version


class Desk:
    """A supervisor's or admin's laptop: the app's own test client on the server's database."""

    def __init__(self, server, username):
        self.client = server.app.test_client()
        self.post("/login", username=username, password="kotaku-demo")

    def token(self):
        return self.client.get("/api/csrf").get_json()["csrf_token"]

    def post(self, url, **form):
        return self.client.post(url, data={**form, "csrf_token": self.token()})

    def sync(self, record):
        response = self.client.post(
            "/api/sync", json={"records": [record]}, headers={"X-CSRFToken": self.token()}
        )
        return response.get_json()["results"][0]
