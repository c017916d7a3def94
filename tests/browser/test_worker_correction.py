"""The worker page on a 360 px phone (issue 9 items 2 and 5): a worker corrected offline, synced once,
shown with their history; deactivated with a reason, leaving the attendance list from that day on; a
correction held for a supervisor shown as waiting, then with the decision and its reason."""

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, Conflict, RecordVersion, Worker
from tests.test_corrections import correction, worker_as_sent

from .conftest import form_status, records, sign_in, until, wait_synced

EDIT = "form[data-worker-edit]"
STATUS = "form[data-worker-status-form]"


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
    page.goto(f"/workers/{uuid}")  # opened once online: the service worker keeps the page
    assert page.inner_text("h1") == "Ahmad Uji"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

    context.set_offline(True)
    page.reload()  # from the service worker's cache
    page.click("#ubah summary")
    page.fill(f"{EDIT} #name", "Ahmad Uji Saputra")
    page.click(f"{EDIT} button[type=submit]")
    form_status(page, "tersimpan di HP")
    # Saved on the phone, not applied: the page keeps the server's name and says what waits.
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('belum terkirim')")
    assert page.inner_text("h1") == "Ahmad Uji"
    assert "Koreksi pekerja: Ahmad Uji Saputra — tersimpan di HP, belum terkirim." in notes(page)
    # A second correction replaces the first one, never the stale version again.
    page.fill(f"{EDIT} #phone", "081234567001")
    page.click(f"{EDIT} button[type=submit]")
    until(page, "async () => (await Outbox.all()).filter((r) => r.kind === 'worker').length === 2")
    one, two = [r for r in records(page) if r["kind"] == "worker"]
    assert (one["replaces"], two["replaces"]) == (first, one["uuid"])
    assert (two["data"]["name"], two["data"]["phone"]) == ("Ahmad Uji Saputra", "081234567001")
    # Opened again offline, the form starts from the phone's newest version.
    page.reload()
    assert page.input_value(f"{EDIT} #name") == "Ahmad Uji Saputra"
    assert page.input_value(f"{EDIT} #phone") == "081234567001"
    assert page.get_attribute(EDIT, "data-replaces") == two["uuid"]

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    worker = stored(server, uuid)
    assert (worker.name, worker.phone, worker.version) == ("Ahmad Uji Saputra", "081234567001", two["uuid"])
    assert [v["name"] for v in history(server, worker)] == ["Ahmad Uji", "Ahmad Uji Saputra"]
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('terkirim ke server')")
    page.click("[data-reload]")
    page.wait_for_selector("[data-riwayat]")
    assert page.inner_text("h1") == "Ahmad Uji Saputra"
    assert page.is_hidden("[data-phone-state]")
    riwayat = page.inner_text("[data-riwayat]")
    assert "Nama: Ahmad Uji → Ahmad Uji Saputra" in riwayat and "Didaftarkan" in riwayat
    assert riwayat.count("Data diubah") == 2 and "WITA" in riwayat and "Rina Marlina" in riwayat
    assert page.get_attribute(EDIT, "data-replaces") == two["uuid"]


def test_a_worker_deactivated_with_a_reason_leaves_the_day_list_from_that_day(
    fresh_ksm, server, context, page
):
    ksm_id, uuid = fresh_ksm["id"], fresh_ksm["workers"][1]  # Baiq Uji
    sign_in(page)
    # A day recorded before the deactivation keeps her.
    page.goto(f"/attendance/{ksm_id}/2021-04-20")
    page.check(f'input[name="present"][value="{uuid}"]')
    page.click('form[data-outbox="attendance"] button[type=submit]')
    wait_synced(page)

    page.goto(f"/workers/{uuid}")
    page.click("#status summary")
    assert page.input_value(f"{STATUS} #inactive_from")  # today, kept inside the KSM's period
    page.fill(f"{STATUS} #inactive_from", "2021-04-22")
    page.fill(f"{STATUS} #inactive_reason", "Ok")  # too short: asked again, in Indonesian
    page.click(f"{STATUS} button[type=submit]")
    assert "Paling sedikit 5 karakter." in page.inner_text(STATUS)
    page.fill(f"{STATUS} #inactive_reason", "Pindah ke Sumbawa")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click(f"{STATUS} button[type=submit]")
    assert asked == ["Nonaktifkan Baiq Uji mulai 22 April 2021?"]
    assert [r for r in records(page) if r["kind"] == "worker"] == []  # "Batal": nothing saved
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():  # the server's page once the server has it
        page.click(f"{STATUS} button[type=submit]")
    page.wait_for_selector("[data-riwayat]")
    assert "Nonaktif mulai 22 April 2021" in page.inner_text("[data-worker-status]")
    assert "Pindah ke Sumbawa" in page.inner_text("[data-worker-status]")
    assert "Dinonaktifkan" in page.inner_text("[data-riwayat]")
    worker = stored(server, uuid)
    assert (worker.active, worker.inactive_reason) == (False, "Pindah ke Sumbawa")

    def listed(day):
        page.goto(f"/attendance/{ksm_id}/{day}")
        until(page, "() => document.querySelectorAll('input[name=present]').length >= 2")
        page.wait_for_timeout(300)  # attendance.js has added what the phone knows
        return page.evaluate(
            f"() => Boolean(document.querySelector('input[name=present][value=\"{uuid}\"]'))"
        )

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
    with server.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attendance.id)).where(Attendance.present)) > 0
    # The register says so, and the page offers to activate her again.
    page.goto(f"/workers/?ksm_id={ksm_id}")
    assert "Nonaktif mulai 22 April 2021" in page.locator("li[data-worker]", has_text="Baiq Uji").inner_text()
    page.goto(f"/workers/{uuid}")
    page.click("#status summary")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(f"{STATUS} button[type=submit]")
    page.wait_for_selector("[data-riwayat]")
    assert "Aktif" in page.inner_text("[data-worker-status]") and "Nonaktif" not in page.inner_text(
        "[data-worker-status]"
    )
    assert "Diaktifkan kembali" in page.inner_text("[data-riwayat]")


def test_a_correction_held_for_a_supervisor_shows_waiting_then_the_decision(fresh_ksm, server, page):
    uuid = fresh_ksm["workers"][2]  # Candra Uji
    sign_in(page)
    page.goto(f"/workers/{uuid}")
    # Meanwhile the admin corrects him on a laptop: the version this page shows is no longer current.
    admin = Desk(server, "admin")
    worker = stored(server, uuid)
    assert admin.sync(correction(worker_as_sent(worker), name="Candra Uji Admin"))["status"] == "created"

    page.click("#ubah summary")
    page.fill(f"{EDIT} #name", "Candra Uji Faskel")
    page.click(f"{EDIT} button[type=submit]")
    form_status(page, "bentrok")
    until(page, "() => document.querySelector('[data-phone-notes]').innerText.includes('menunggu keputusan')")
    assert "Koreksi pekerja: Candra Uji Faskel — menunggu keputusan supervisor." in notes(page)
    assert page.inner_text("h1") == "Candra Uji"  # never shown as applied
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
    # Reloaded, the page shows the server's name; the next correction replaces the admin's version.
    page.reload()
    assert page.inner_text("h1") == "Candra Uji Admin"
    assert page.get_attribute(EDIT, "data-replaces") == stored(server, uuid).version


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
