"""Corrections on a 360 px phone (issue 9 items 2, 3 and 5; docs/offline.md "Corrections on the phone",
behaviours 14, 15 and 16): an attendance tick corrected offline, a paid day held for the supervisor with
its over-payment shown, and a meeting edited offline, each synced and shown as the server holds it."""

import base64
import json
import uuid
from datetime import date

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, Ksm, Meeting, MeetingAttendee, Payment, RecordVersion, User, Worker
from kotaku_pwa.payments.queries import ksm_rates
from kotaku_pwa.storage import stored

from .conftest import form_status, records, sign_in, unsent, until, wait_synced, warm
from .test_conflict_outcome import sign_in_plain

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

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
    wait_synced(page, at_least=3)  # the three ticks in the outbox, then sent (an empty one counts as synced)
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
    page.reload()  # still offline: the page kept from before shows the phone's tick (once read)
    until(page, f"() => !document.querySelector('input[name=present][value=\"{ahmad}\"]').checked")
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
    wait_synced(page, at_least=5)  # 3 + 1 before: the outbox already counts as synced without this one
    again = records(page)[-1]
    assert (again["replaces"], again["state"]) == (correction["uuid"], "synced")
    assert stored_day(server, ahmad, day)[:3] == (True, first[1], again["uuid"])


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def paid_for_three_days(server, ksm_id, worker_uuid):
    """Ahmad worked 15, 16 and 17 April 2021 and the treasurer paid him those 3 HOK, signed; returns
    his daily rate."""
    with server.app.app_context():
        worker = db.session.execute(db.select(Worker).filter_by(uuid=worker_uuid)).scalar_one()
        faskel, bendahara = (
            db.session.execute(db.select(User).filter_by(username=name)).scalar_one()
            for name in ("faskel", "bendahara")
        )
        for day in (15, 16, 17):
            db.session.add(
                Attendance(
                    uuid=str(uuid.uuid4()), payload_hash="test", created_by_id=faskel.id, ksm_id=ksm_id,
                    worker_id=worker.id, work_date=date(2021, 4, day), present=True,
                )
            )  # fmt: skip
        rate = ksm_rates(db.session.get(Ksm, ksm_id))[worker.category]
        db.session.add(
            Payment(
                uuid=str(uuid.uuid4()), payload_hash="test", created_by_id=bendahara.id, ksm_id=ksm_id,
                worker_id=worker.id, period_start=date(2021, 4, 15), period_end=date(2021, 4, 21), days=3,
                daily_rate=rate, amount=3 * rate, paid_on=date(2021, 4, 22), method="cash",
                **stored("signature", PNG),
            )
        )  # fmt: skip
        db.session.commit()
        return rate


def rupiah(amount):
    return f"Rp {amount:,}".replace(",", ".")


def test_a_paid_day_unticked_waits_for_the_supervisor_and_the_overpayment_shows(
    browser, page, server, fresh_ksm, console
):
    ahmad = fresh_ksm["workers"][0]
    ksm_id = fresh_ksm["id"]
    rate = paid_for_three_days(server, ksm_id, ahmad)
    day_url = f"/attendance/{ksm_id}/2021-04-16"
    sign_in(page)
    page.goto(day_url)
    assert box(page, ahmad).is_checked()
    box(page, ahmad).uncheck()
    page.click(SAVE)
    wait_synced(page, at_least=1)
    [held] = [r for r in records(page) if r["state"] == "conflict"]
    assert held["replaces"] == box(page, ahmad).get_attribute("data-version")
    # Held, never shown as applied: the server's tick stays, with the supervisor still to decide.
    until(page, f"() => document.querySelector('input[value=\"{ahmad}\"]').checked")
    assert "menunggu keputusan supervisor" in item(page, ahmad).inner_text()
    assert "sudah dibayar" in item(page, ahmad).inner_text()
    page.reload()
    assert box(page, ahmad).is_checked() and page.inner_text("[data-hok-count]") == "1"
    assert "menunggu keputusan supervisor" in item(page, ahmad).inner_text()
    fits_the_phone(page)
    assert stored_day(server, ahmad, date(2021, 4, 16))[0] is True

    reason = "Ahmad sakit pada hari Jumat; kelebihan dibayar kembali minggu depan."
    desk = console.watch(
        browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740}).new_page()
    )
    try:
        desk.on("dialog", lambda dialog: dialog.accept())  # "Keputusan ini tidak dapat dibatalkan"
        sign_in_plain(desk, "askot")
        desk.goto("/conflicts/?kind=attendance")
        card = desk.locator("article.conflict", has_text="Ahmad Uji")
        text = card.inner_text()
        assert f"Sudah dibayar {rupiah(3 * rate)} untuk 3 HOK" in text and "ditandatangani" in text
        assert "22 April 2021" in text
        assert f"upah kini {rupiah(2 * rate)}" in text and f"kelebihan bayar {rupiah(rate)}" in text
        fits_the_phone(desk)
        card.locator("textarea[name=reason]").fill(reason)
        card.get_by_role("button", name="Terima data baru").click()
        until(
            desk, "() => document.querySelector('article.conflict [data-decision-reason]')?.tagName === 'P'"
        )
        assert stored_day(server, ahmad, date(2021, 4, 16))[0] is False
        desk.goto(f"/payments/{ksm_id}/2021-04-15")
        assert f"Kelebihan bayar {rupiah(rate)}" in desk.inner_text("main")
        desk.goto(f"/payments/{ksm_id}/ledger")
        assert f"kelebihan bayar {rupiah(rate)}" in desk.inner_text("main")
    finally:
        desk.context.close()

    # The facilitator's phone learns the decision and shows it, with the reason, on the day page.
    page.evaluate("Outbox.sync({force: true})")
    until(
        page,
        f"async () => (await Outbox.all()).some((r) => r.uuid === {json.dumps(held['uuid'])} && r.outcome)",
    )
    page.reload()
    assert not box(page, ahmad).is_checked()  # the server's tick now: the correction was applied
    note = item(page, ahmad).inner_text()
    assert "diterima supervisor" in note and reason in note and "WITA" in note
    assert "menunggu keputusan" not in note


def a_meeting(server, place):
    """A coaching KSM of KSM Tanjung Karang 1 with three attendees, recorded by the faskel: its id."""
    with server.app.app_context():
        ksm = db.session.execute(db.select(Ksm).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
        faskel = db.session.execute(db.select(User).filter_by(username="faskel")).scalar_one()
        meeting = Meeting(
            uuid=str(uuid.uuid4()), payload_hash="test", created_by_id=faskel.id,
            kelurahan_id=ksm.kelurahan_id, ksm_id=ksm.id, type="coaching_ksm", programme="CFW",
            held_on=date(2021, 4, 12), place=place, team="Rina Marlina", topics=["concept", "funds"],
            outcomes=[], notes="",
        )  # fmt: skip
        db.session.add(meeting)
        for position, (name, gender) in enumerate(
            [("Lalu Saleh", "L"), ("Baiq Aini", "P"), ("Sri Wahyuni", "P")], start=1
        ):
            db.session.add(
                MeetingAttendee(meeting=meeting, position=position, name=name, gender=gender, role="ksm")
            )
        db.session.commit()
        return meeting.id, meeting.uuid


def test_a_meeting_edited_offline_syncs_and_its_riwayat_shows(page, context, server):
    place = f"Aula uji {uuid.uuid4().hex[:6]}"
    meeting_id, identity = a_meeting(server, place)
    sign_in(page)
    warm(page)
    page.goto(f"/meetings/{meeting_id}")
    assert "Belum pernah diubah." in page.inner_text("main")
    edit_url = f"/meetings/{meeting_id}/edit"
    until(  # "Ubah" is kept for offline use once the meeting's page is opened online
        page,
        f"""async () => {{
            const name = (await caches.keys()).find((n) => n.startsWith('pages-'));
            return name && Boolean(await (await caches.open(name)).match({json.dumps(edit_url)}));
        }}""",
    )
    context.set_offline(True)
    page.click("text=Ubah")
    page.wait_for_url(f"**{edit_url}")
    until(page, "() => document.querySelectorAll('[data-attendee-list] > li').length === 3")
    assert page.input_value("#place") == place and page.is_checked("input[name=topics][value=funds]")
    assert page.input_value("[data-attendee-list] > li:nth-child(2) [data-a=name]") == "Baiq Aini"
    page.fill("#place", "Balai RW 02")
    page.click("[data-attendee-list] > li:nth-child(3) [data-remove-row]")
    page.click("text=Simpan perubahan")
    form_status(page, "tersimpan di HP")
    [first] = [r for r in records(page) if r["kind"] == "meeting"]
    assert (first["replaces"], first["state"], len(first["data"]["attendees"])) == (identity, "pending", 2)
    fits_the_phone(page)

    page.reload()  # still offline: the edit page kept from before starts from the change saved here
    until(page, "() => document.querySelector('#place').value === 'Balai RW 02'")
    assert page.is_visible("[data-from-phone]")
    assert page.locator("[data-attendee-list] > li").count() == 2
    page.fill("#notes", "Dihadiri pengurus KSM saja.")
    page.click("text=Simpan perubahan")
    form_status(page, "tersimpan di HP")
    second = [r for r in records(page) if r["kind"] == "meeting"][-1]
    assert second["replaces"] == first["uuid"] and unsent(page) == 2

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert [r["state"] for r in records(page) if r["kind"] == "meeting"] == ["synced", "synced"]
    with server.app.app_context():
        stored = db.session.get(Meeting, meeting_id)
        assert (stored.uuid, stored.version, stored.place) == (identity, second["uuid"], "Balai RW 02")
        assert stored.notes == "Dihadiri pengurus KSM saja." and len(stored.attendees) == 2
        kept = db.session.scalars(
            db.select(RecordVersion.uuid).where(
                RecordVersion.kind == "meeting", RecordVersion.record_id == meeting_id
            )
        ).all()
        assert kept == [identity, first["uuid"]]
    page.goto(f"/meetings/{meeting_id}")
    riwayat = page.inner_text("[data-history]")
    assert "Perubahan ke-2" in riwayat and "Perubahan ke-1" in riwayat and "Versi pertama" in riwayat
    assert f"Tempat: {place} → Balai RW 02" in riwayat
    assert "Peserta: 3 orang → 2 orang (keluar: Sri Wahyuni)" in riwayat and "WITA" in riwayat
    assert "Balai RW 02" in page.inner_text("main")
    fits_the_phone(page)
