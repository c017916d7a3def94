from kotaku_pwa.models import Attendance, Worker

from .conftest import sign_in, unsent, until, wait_synced, warm


def test_attendance_saved_offline_syncs_once(page, context, server, fresh_ksm):
    sign_in(page)
    warm(page)
    day_url = f"/attendance/{fresh_ksm['id']}/2021-05-04"
    page.goto(day_url)
    context.set_offline(True)
    page.goto(f"/attendance/{fresh_ksm['id']}/2021-05-05")  # never opened online
    assert "Rabu, 5 Mei 2021" in page.inner_text("[data-day-label]")
    page.check("[data-all-present]")
    assert page.inner_text("[data-hok-count]") == "3"
    page.click("text=Simpan kehadiran")
    until(page, "() => document.querySelector('[data-form-status]').textContent.includes('tersimpan di HP')")
    assert unsent(page) == 3
    assert "3 data tersimpan di HP" in page.inner_text("[data-outbox-badge]")
    page.reload()
    assert unsent(page) == 3
    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0
    worker_ids = [server.count(Worker, uuid=u) for u in fresh_ksm["workers"]]
    assert worker_ids == [1, 1, 1]
    assert server.count(Attendance, ksm_id=fresh_ksm["id"]) == 3
