"""The verification round trip on 360 px phones (issue 10): the supervisor returns a week with a reason,
the facilitator sees the reason on the attendance day and the home page, records the missing day, and
the supervisor verifies; no console errors on any page."""

import uuid
from datetime import date

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, User, Verification, Worker

from .conftest import PHONE, sign_in, unsent, until, wait_synced

REASON = "HOK 17 April belum dicatat, mohon dilengkapi"


def _seed_two_days(server, ksm_id):
    """Attendance on 15 and 16 April for the KSM's three workers; 17 April is missing."""
    with server.app.app_context():
        faskel = db.session.execute(db.select(User).filter_by(username="faskel")).scalar_one()
        for worker in db.session.scalars(db.select(Worker).filter_by(ksm_id=ksm_id)):
            for day in (date(2021, 4, 15), date(2021, 4, 16)):
                db.session.add(
                    Attendance(
                        uuid=str(uuid.uuid4()),
                        payload_hash="test",
                        created_by_id=faskel.id,
                        ksm_id=ksm_id,
                        worker_id=worker.id,
                        work_date=day,
                        present=True,
                    )
                )
        db.session.commit()


def _decisions(server, ksm_id):
    with server.app.app_context():
        rows = db.session.scalars(db.select(Verification).filter_by(ksm_id=ksm_id).order_by(Verification.id))
        return [(v.decision, v.reason) for v in rows]


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _decide(page, button):
    """Press Verifikasi or Kembalikan, accept the confirmation; once the record is on the server the
    page reloads itself (verification.js) and shows the period's new state."""
    page.click(f"[data-decide='{button}']")
    marker = "[data-returned]" if button == "returned" else "[data-verified]"
    page.locator(marker).wait_for(timeout=20000)


def test_return_correct_verify(browser, server, fresh_ksm, console):
    ksm_id, period = fresh_ksm["id"], "2021-04-15"
    _seed_two_days(server, ksm_id)
    supervisor_context = browser.new_context(base_url=server.url, viewport=PHONE, service_workers="allow")
    field_context = browser.new_context(base_url=server.url, viewport=PHONE, service_workers="allow")
    try:
        askot = console.watch(supervisor_context.new_page())
        askot.on("dialog", lambda dialog: dialog.accept())
        faskel = console.watch(field_context.new_page())

        # The supervisor returns the week: without a reason the form asks for one, nothing is sent.
        sign_in(askot, "askot")
        askot.goto(f"/payments/{ksm_id}/{period}")
        _fits_the_phone(askot)
        askot.click("[data-decide='returned']")
        assert askot.evaluate("document.querySelector('#verification-reason').validity.valueMissing")
        assert _decisions(server, ksm_id) == []
        askot.fill("#verification-reason", REASON)
        _decide(askot, "returned")
        assert _decisions(server, ksm_id) == [("returned", REASON)]
        assert REASON in askot.inner_text("[data-returned]")

        # The facilitator sees the reason at home and on the period's attendance days.
        sign_in(faskel, "faskel")
        assert f"Dikembalikan: {REASON}" in faskel.inner_text("main")
        faskel.goto(f"/attendance/{ksm_id}/2021-04-17")
        _fits_the_phone(faskel)
        assert f"Dikembalikan: {REASON}" in faskel.inner_text("[data-returned]")
        faskel.check("[data-all-present]")
        faskel.click("form.attendance button[type=submit]")
        wait_synced(faskel, at_least=3)  # the three workers' ticks in the outbox, then sent
        with server.app.app_context():
            day = db.session.scalar(
                db.select(db.func.count(Attendance.id)).filter_by(ksm_id=ksm_id, work_date=date(2021, 4, 17))
            )
        assert day == 3
        # Corrected, but not verified yet: the reason stays until the supervisor verifies.
        faskel.goto("/")
        assert f"Dikembalikan: {REASON}" in faskel.inner_text("main")

        # The supervisor sees the corrected HOK and verifies the week.
        askot.reload()
        assert "9 HOK" in askot.inner_text(".summary")  # three workers × three days
        _decide(askot, "verified")
        assert _decisions(server, ksm_id) == [("returned", REASON), ("verified", None)]

        # The reason is gone for the facilitator; the day says the week is verified.
        faskel.goto("/")
        assert REASON not in faskel.inner_text("main")
        faskel.goto(f"/attendance/{ksm_id}/2021-04-17")
        assert "sudah diverifikasi supervisor" in faskel.inner_text("[data-verified]")
        _fits_the_phone(faskel)

        # The supervisor's menu fits the phone and reaches the verification list and the audit trail.
        askot.goto("/more")
        _fits_the_phone(askot)
        askot.click("text=Verifikasi periode upah")
        assert "diverifikasi" in askot.inner_text("main")
        askot.goto("/more")
        askot.click("text=Jejak audit")
        assert "dikembalikan" in askot.inner_text("[data-audit-list]")
        _fits_the_phone(askot)
    finally:
        supervisor_context.close()
        field_context.close()


def test_a_decision_saved_offline_reaches_the_server_once(page, context, server, fresh_ksm):
    ksm_id, period = fresh_ksm["id"], "2021-04-22"
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "askot")
    page.goto(f"/payments/{ksm_id}/{period}")
    context.set_offline(True)
    page.fill("#verification-reason", REASON)
    page.click("[data-decide='returned']")
    until(page, "() => document.querySelector('[data-form-status]').textContent.includes('tersimpan di HP')")
    assert unsent(page) == 1
    assert _decisions(server, ksm_id) == []
    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    page.evaluate("Outbox.sync({force: true})")  # a second send changes nothing
    wait_synced(page)
    assert unsent(page) == 0
    assert _decisions(server, ksm_id) == [("returned", REASON)]
    page.reload()
    assert REASON in page.inner_text("[data-returned]")
