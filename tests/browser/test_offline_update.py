"""A new version of the app arrives while a form is half filled (docs/offline.md behaviour 9)."""

import uuid

from kotaku_pwa.models import Worker

from .conftest import (
    badge_shows,
    fill_worker,
    form_status,
    records,
    sign_in,
    until,
    wait_synced,
    warm,
    worker_nik,
)

SAVE = 'form[data-outbox] button[type="submit"]'
BUILDS = "async () => (await caches.keys()).map((name) => name.split('-').pop())"


def test_service_worker_update_under_a_half_filled_form_loses_nothing(
    page, context, server, fresh_ksm, console
):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    other = console.watch(context.new_page())  # a second tab, with nothing typed in it
    other.goto("/outbox")
    page.bring_to_front()
    context.route("**/api/sync", lambda route: route.abort())  # keep a record waiting on the phone
    page.goto(f"/workers/new?ksm_id={ksm}")
    fill_worker(page, "Lalu Menunggu", worker_nik())
    page.click(SAVE)
    form_status(page, "— tersimpan di HP, dikirim otomatis")
    [waiting] = records(page)
    old_builds = set(page.evaluate(BUILDS))
    assert len(old_builds) == 1

    nik = worker_nik("P")
    page.fill("#name", "Baiq Setengah")  # the next worker, half filled
    page.fill("#nik", nik[:9])
    page.check('input[name="gender"][value="P"]')
    page.evaluate("() => { window.sameDocument = true; }")

    server.restart(build_salt=f"v2-{uuid.uuid4().hex[:8]}")  # a deploy
    page.evaluate("async () => { await (await navigator.serviceWorker.getRegistration()).update(); }")
    until(page, "() => !document.getElementById('update-banner').hidden")
    assert "Versi baru tersedia" in page.inner_text("#update-banner")
    assert page.evaluate("async () => Boolean((await navigator.serviceWorker.getRegistration()).waiting)")

    def unchanged():
        assert page.evaluate("() => window.sameDocument") is True  # never reloaded by itself
        assert page.input_value("#name") == "Baiq Setengah"
        assert page.input_value("#nik") == nik[:9]
        assert page.is_checked('input[name="gender"][value="P"]')

    unchanged()
    # "muat ulang" under a half-filled form asks first; saying no keeps everything as it was.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("[data-update-reload]")
    assert questions and "belum disimpan" in questions[0]
    unchanged()
    assert set(page.evaluate(BUILDS)) >= old_builds  # the old version still serves this page

    # The other tab switches to the new version: that never reloads the half-filled form here.
    until(other, "() => !document.getElementById('update-banner').hidden")
    with other.expect_navigation():
        other.click("[data-update-reload]")
    page.bring_to_front()
    until(page, "async () => !(await navigator.serviceWorker.getRegistration()).waiting")
    unchanged()

    # Saying yes here too: this page reloads under the new version; the waiting record is still there.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("[data-update-reload]")
    until(page, "() => window.sameDocument === undefined && navigator.serviceWorker.controller !== null")
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).waiting") is None
    new_builds = set(page.evaluate(BUILDS))
    assert new_builds and not new_builds & old_builds  # the old caches are gone
    assert [(r["uuid"], r["state"] in ("pending", "sending")) for r in records(page)] == [
        (waiting["uuid"], True)
    ]
    badge_shows(page, "1 data tersimpan di HP, belum terkirim")

    # The new version keeps the field pages for offline use, as the old one did.
    warm(page)
    context.set_offline(True)
    page.goto(f"/attendance/{ksm}/2021-06-01")
    # Three workers, and the one waiting on the phone (added from the outbox once it has been read).
    until(page, "() => document.querySelector('[data-worker-list]').textContent.includes('Lalu Menunggu')")
    assert page.locator('input[name="present"]').count() == 4

    context.set_offline(False)
    context.unroute("**/api/sync")
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert server.count(Worker, uuid=waiting["uuid"]) == 1
