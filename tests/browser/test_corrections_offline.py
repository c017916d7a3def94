"""Corrections on a 360 px phone (issue 9 items 2, 3 and 5; docs/offline.md "Corrections"):
an attendance tick corrected offline, a paid day held for the supervisor with its over-payment shown,
and a meeting edited offline, each synced and shown as the server holds it."""

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, RecordVersion, Worker

from .conftest import form_status, records, sign_in, unsent, until, wait_synced, warm

SAVE = "text=Simpan kehadiran"


def stored_day(server, worker_uuid, day):
    """(present, uuid, version, kept old versions' uuids) of a worker's stored day."""
    with server.app.app_context():
        row = db.session.execute(
            db.select(Attendance).join(Worker).where(Worker.uuid == worker_uuid, Attendance.work_date == day)
        ).scalar_one()
        old = db.session.scalars(
            db.select(RecordVersion.uuid).where(
                RecordVersion.kind == "attendance", RecordVersion.record_id == row.id
            )
        ).all()
        return row.present, row.uuid, row.version, old


def box(page, worker_uuid):
    return page.locator(f'input[name="present"][value="{worker_uuid}"]')


def item(page, worker_uuid):
    return page.locator("[data-worker-list] li", has=box(page, worker_uuid))


def test_a_tick_corrected_offline_syncs_as_a_new_version(page, context, server, fresh_ksm):
    ahmad, baiq, _ = fresh_ksm["workers"]
    day = "2021-05-04"
    sign_in(page)
    warm(page)
    page.goto(f"/attendance/{fresh_ksm['id']}/{day}")
    page.check("[data-all-present]")
    page.click(SAVE)
    wait_synced(page)
    page.reload()  # the server's page: every tick recorded, each with its version
    first = stored_day(server, ahmad, day)
    assert first[0] is True and box(page, ahmad).get_attribute("data-version") == first[2]

    context.set_offline(True)
    page.reload()  # from the service worker's cache
    box(page, ahmad).uncheck()
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    [correction] = [r for r in records(page) if r["state"] == "pending"]  # only the tick that changed
    assert (correction["data"]["worker_uuid"], correction["replaces"]) == (ahmad, first[2])
    assert "di HP" in item(page, ahmad).inner_text() and "di HP" not in item(page, baiq).inner_text()
    page.reload()  # still offline: the page kept from before shows the phone's tick
    assert not box(page, ahmad).is_checked() and "di HP" in item(page, ahmad).inner_text()
    assert page.inner_text("[data-hok-count]") == "2"

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0
    [sent] = [r for r in records(page) if r["uuid"] == correction["uuid"]]
    assert sent["state"] == "synced" and sent["message"] == ""  # created: her own unpaid day
    present, identity, version, old = stored_day(server, ahmad, day)
    assert (present, identity, version) == (False, first[1], correction["uuid"])
    assert old == [first[2]]  # the old version kept in record_version
    page.reload()
    assert not box(page, ahmad).is_checked() and box(page, baiq).is_checked()
    assert box(page, ahmad).get_attribute("data-version") == correction["uuid"]
    assert "di HP" not in item(page, ahmad).inner_text()

    # Ticked again, online: the new correction replaces the version just saved, not the first one.
    box(page, ahmad).check()
    page.click(SAVE)
    wait_synced(page)
    again = records(page)[-1]
    assert (again["replaces"], again["state"]) == (correction["uuid"], "synced")
    assert stored_day(server, ahmad, day)[:3] == (True, first[1], again["uuid"])
