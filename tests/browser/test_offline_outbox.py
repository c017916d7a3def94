"""The phone's outbox: records saved offline survive reloads and restarts, sync exactly once, get a uuid
each, and are saved once however often Save is tapped (docs/offline.md behaviours 2, 3, 7, 8)."""

from datetime import date

from kotaku_pwa.models import Attendance, Worker

from .conftest import (
    SyncLog,
    badge_shows,
    fill_worker,
    form_status,
    records,
    sign_in,
    unsent,
    until,
    wait_synced,
    warm,
    worker_nik,
)

SAVE = 'form[data-outbox] button[type="submit"]'
ONE_UNSENT = "1 data tersimpan di HP, belum terkirim"


def test_record_saved_offline_survives_reload_and_restart_then_syncs_once(profile, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    page = profile.open()
    sign_in(page)
    warm(page)
    profile.context.set_offline(True)
    page.goto(f"/workers/new?ksm_id={ksm}")
    fill_worker(page, "Sari Bertahan", worker_nik("P"), gender="P")
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    [record] = records(page)
    assert record["state"] == "pending" and record["kind"] == "worker"
    badge_shows(page, ONE_UNSENT)
    page.reload()
    assert unsent(page) == 1
    badge_shows(page, ONE_UNSENT)

    profile.close()  # the browser is closed (phone restarted), and opened again without a network
    page = profile.open(offline=True)
    page.goto("/outbox")
    until(page, "() => document.querySelector('.outbox-item') !== null")
    assert "Pendaftaran pekerja: Sari Bertahan" in page.inner_text("[data-outbox-list]")
    assert "Menunggu dikirim" in page.inner_text("[data-outbox-list]")
    badge_shows(page, ONE_UNSENT)
    assert server.count(Worker, uuid=record["uuid"]) == 0

    log = SyncLog(profile.context)
    profile.context.set_offline(False)  # the "online" event sends it, nobody taps anything
    wait_synced(page)
    assert server.count(Worker, uuid=record["uuid"]) == 1
    badge_shows(page, "")
    assert "Terkirim" in page.inner_text("[data-outbox-list]")
    # Every later trigger finds nothing to send: still one row, sent in one request.
    page.evaluate("Outbox.sync({force: true})")
    page.reload()
    page.evaluate("Outbox.sync({force: true})")
    assert log.times(record["uuid"]) == 1
    assert server.count(Worker, uuid=record["uuid"]) == 1
    assert server.count(Worker, ksm_id=ksm) == 4
    badge_shows(page, "")
    assert unsent(page) == 0


def test_two_offline_submissions_of_one_cached_form_become_two_rows(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    context.set_offline(True)
    form_url = f"/workers/new?ksm_id={ksm}"
    page.goto(form_url)
    # The cached HTML carries no uuid: one rendered into it would be shared by every offline submission.
    cached = page.evaluate(f"async () => (await caches.match('{form_url}', {{ignoreVary: true}})).text()")
    assert "data-outbox=" in cached and "data-uuid" not in cached
    fill_worker(page, "Wayan Pertama", worker_nik())
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    assert page.input_value("#name") == ""  # the form is cleared for the next worker
    page.reload()  # the same cached page again
    fill_worker(page, "Wayan Kedua", worker_nik())
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    saved = records(page)
    assert [r["data"]["name"] for r in saved] == ["Wayan Pertama", "Wayan Kedua"]
    assert saved[0]["uuid"] != saved[1]["uuid"]
    badge_shows(page, "2 data tersimpan di HP, belum terkirim")

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert [server.count(Worker, uuid=r["uuid"]) for r in saved] == [1, 1]
    assert server.count(Worker, ksm_id=ksm) == 5


def test_worker_registered_offline_is_in_the_attendance_list_at_once(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    context.set_offline(True)
    page.goto(f"/workers/new?ksm_id={ksm}")
    fill_worker(page, "Dewi Baru", worker_nik("P"), gender="P")
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    [worker] = records(page)

    page.goto(f"/attendance/{ksm}/2021-05-24")  # never opened online
    row = page.locator("[data-worker-list] label", has_text="Dewi Baru")
    assert row.locator('input[name="present"]').get_attribute("value") == worker["uuid"]
    assert "di HP" in row.inner_text()
    until(page, "() => document.querySelector('[data-worker-count]').textContent === '4'")
    row.locator('input[name="present"]').check()
    page.click("text=Simpan kehadiran")
    form_status(page, "tersimpan di HP")
    assert unsent(page) == 5  # the worker, and four attendance records (one present)

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert [r["state"] for r in records(page)] == ["synced"] * 5
    assert server.count(Worker, uuid=worker["uuid"]) == 1
    day = date(2021, 5, 24)
    assert server.count(Attendance, ksm_id=ksm, work_date=day) == 4
    assert server.count(Attendance, ksm_id=ksm, work_date=day, present=True) == 1


def test_double_tap_on_save_gives_one_record(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    sign_in(page)
    log = SyncLog(context)  # the context's requests: the page is controlled by the service worker
    # The worker form: two submits in the same instant (a tap that the phone registers twice).
    page.goto(f"/workers/new?ksm_id={ksm}")
    fill_worker(page, "Ketut Sekali", worker_nik())
    page.evaluate(
        "() => { const form = document.querySelector('form[data-outbox]');"
        " form.requestSubmit(); form.requestSubmit(); }"
    )
    form_status(page, "terkirim ke server")
    [record] = records(page)
    assert server.count(Worker, uuid=record["uuid"]) == 1
    assert server.count(Worker, ksm_id=ksm) == 4
    # The attendance page: a real double tap on its Save button.
    page.goto(f"/attendance/{ksm}/2021-05-25")
    page.check("[data-all-present]")
    page.dblclick("text=Simpan kehadiran")
    form_status(page, "terkirim ke server")
    page.click("text=Simpan kehadiran")  # and a third tap later: nothing changed, nothing new
    form_status(page, "Tidak ada perubahan")
    attendance = [r for r in records(page) if r["kind"] == "attendance"]
    assert len(attendance) == 4  # three workers + the worker registered above
    assert all(log.times(r["uuid"]) == 1 for r in [record, *attendance])
    assert server.count(Attendance, ksm_id=ksm, work_date=date(2021, 5, 25)) == 4


def test_two_tabs_syncing_at_once_send_each_record_once(page, context, server, fresh_ksm, console):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    other = console.watch(context.new_page())
    other.goto(f"/attendance/{ksm}/2021-05-26")
    context.set_offline(True)
    page.goto(f"/attendance/{ksm}/2021-05-27")
    for tab in (page, other):
        tab.bring_to_front()  # a background tab gets few animation frames: Playwright's clicks crawl
        tab.check("[data-all-present]")
        tab.click("text=Simpan kehadiran")
        form_status(tab, "tersimpan di HP")
    saved = records(page)
    assert len(saved) == 6 and len({r["uuid"] for r in saved}) == 6
    badge_shows(other, "6 data tersimpan di HP, belum terkirim")  # the other tab heard of both saves

    log = SyncLog(context)
    context.set_offline(False)  # both tabs hear "online" and try to send...
    for tab in (page, other):  # ...and both are told to send now, at the same moment
        tab.evaluate("() => { Outbox.sync({force: true}); }")
    wait_synced(page)
    wait_synced(other)
    assert {log.times(r["uuid"]) for r in saved} == {1}
    assert server.count(Attendance, ksm_id=ksm, work_date=date(2021, 5, 26)) == 3
    assert server.count(Attendance, ksm_id=ksm, work_date=date(2021, 5, 27)) == 3
    badge_shows(other, "")
