"""The field learns the supervisor's decision: a registration held as a conflict, decided with a reason on
the conflicts page, is shown with that reason on the phone's outbox page (issue 9 items 5 and 6)."""

from kotaku_pwa import db
from kotaku_pwa.models import Conflict, Ksm, Worker

from .conftest import fill_worker, form_status, records, sign_in, until, wait_synced

SAVE = 'form[data-outbox] button[type="submit"]'
REASON = "Abdul sudah bekerja di KSM Tanjung Karang 1 sejak April."


def test_a_decided_conflict_reaches_the_phone_with_the_reason(browser, server, context, page):
    with server.app.app_context():
        held = db.session.execute(db.select(Worker).where(Worker.name == "Abdul Rahman")).scalar_one()
        other = db.session.execute(db.select(Ksm).where(Ksm.name == "KSM Tanjung Karang 2")).scalar_one()
        nik, ksm_id = held.nik, other.id
    sign_in(page)
    page.goto(f"/workers/new?ksm_id={ksm_id}")
    fill_worker(page, "Abdul Rahman Kembar", nik)
    page.click(SAVE)
    form_status(page, "bentrok")
    # The answer names the KSM holding the NIK, and the untouched form gets back what was typed.
    assert "Sudah terdaftar di KSM Tanjung Karang 1" in page.inner_text("[data-form-status]")
    assert (page.input_value("#name"), page.input_value("#nik")) == ("Abdul Rahman Kembar", nik)
    wait_synced(page)
    [record] = [r for r in records(page) if r["data"].get("name") == "Abdul Rahman Kembar"]
    assert record["state"] == "conflict"
    assert "Sudah terdaftar di KSM Tanjung Karang 1" in record["errors"]["record"]
    page.goto("/outbox")
    page.evaluate("Outbox.sync({force: true})")
    item = page.locator(".outbox-item", has_text="Abdul Rahman Kembar")
    until(page, "() => document.body.innerText.includes('menunggu keputusan supervisor')")
    assert "menunggu keputusan supervisor" in item.inner_text().lower()

    # The supervisor decides on a laptop, with a reason, from a card written in words.
    laptop = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    try:
        desk = laptop.new_page()
        errors = []
        desk.on("console", lambda m: m.type == "error" and errors.append(m.text))
        desk.on("dialog", lambda dialog: dialog.accept())  # "Keputusan ini tidak dapat dibatalkan"
        sign_in_plain(desk, "askot")
        with server.app.app_context():
            conflict_id = db.session.execute(
                db.select(Conflict.id).where(Conflict.uuid == record["uuid"])
            ).scalar_one()
        desk.goto("/conflicts/")
        card = desk.locator(f"#conflict-{conflict_id}")
        assert "Abdul Rahman Kembar" in card.inner_text() and record["uuid"] not in card.inner_text()
        card.locator("textarea[name=reason]").fill(REASON)
        card.get_by_role("button", name="Pertahankan data tersimpan").click()
        until(desk, f"() => document.querySelector('#conflict-{conflict_id}').innerText.includes('Alasan: ')")
        assert errors == []
    finally:
        laptop.close()

    page.evaluate("Outbox.sync({force: true})")
    until(page, "() => document.body.innerText.includes('Diputuskan: data tersimpan dipertahankan')")
    text = item.inner_text()
    assert REASON in text and "WITA" in text
    assert "menunggu keputusan" not in text.lower()
    [stored] = [r for r in records(page) if r["uuid"] == record["uuid"]]
    assert (stored["outcome"]["status"], stored["outcome"]["reason"]) == ("kept_existing", REASON)


def sign_in_plain(page, username):
    """Sign in without waiting for the service worker (a supervisor's laptop)."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "kotaku-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
