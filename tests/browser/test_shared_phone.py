"""A shared phone keeps each user's data to that user (issue 11, finding 1): sign-out works offline,
pages and reference data are per user, a record stays with the user who saved it, and a NIK is not
kept in clear once the server holds its record."""

import json
import time
from pathlib import Path

from kotaku_pwa import db
from kotaku_pwa.models import User, UserSession, Worker

from .conftest import fill_worker, form_status, records, sign_in, until, wait_synced, warm, worker_nik

SAVE = 'form[data-outbox] button[type="submit"]'
SIGN_OUT = "form[data-logout] button"
OFFLINE_H1 = "Tidak ada sinyal"

# Every page cache and the reference data on this phone: what another user could be shown.
LOCAL_DATA = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        if (!name.startsWith('pages-')) continue;
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return {urls, reference: (await Outbox.getMeta('reference')) || null};
}"""


def user_id(server, username):
    with server.app.app_context():
        return db.session.execute(db.select(User.id).filter_by(username=username)).scalar_one()


def ksm_pages(ksm):
    """Pages of the facilitator's KSM that hold its workers' names."""
    return (f"/workers/?ksm_id={ksm}", f"/workers/new?ksm_id={ksm}", f"/attendance/{ksm}/2021-05-20")


def shows_offline_page(page, url, secret):
    response = page.goto(url)  # never the browser's error page, never the last user's page
    assert response is None or response.ok, url  # None: Playwright saw no response of its own
    assert page.url.endswith(url) and page.inner_text("h1") == OFFLINE_H1, url
    assert secret not in page.content(), url


def test_sign_out_offline_forgets_the_user_at_once_and_ends_the_session_once_online(
    page, context, server, fresh_ksm, playwright_instance
):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    old_cookies = context.cookies()
    context.set_offline(True)
    page.goto(f"/workers/?ksm_id={ksm}")
    assert "Ahmad Uji" in page.content()  # the facilitator's own page, from the phone
    page.click(SIGN_OUT)
    page.wait_for_url("**/login")  # the sign-in page's address, answered by the offline page
    page.wait_for_load_state()
    assert page.inner_text("h1") == OFFLINE_H1
    assert not page.locator(SIGN_OUT).count()
    local = page.evaluate(LOCAL_DATA)
    assert local == {"urls": [], "reference": None}
    page.go_back()  # the back button, past the sign-out, to the facilitator's own pages
    page.locator("h1", has_text=OFFLINE_H1).wait_for()
    assert not page.locator('meta[name="kotaku-user"]').count()
    for url in ("/", *ksm_pages(ksm)):
        shows_offline_page(page, url, "Ahmad Uji")

    # Back online: the sign-in page, and the server has ended the session the browser still holds.
    context.set_offline(False)
    page.wait_for_url(lambda url: "/login" in url, timeout=60000)  # with ?next= if the outbox came first
    page.locator("h1", has_text="Masuk").wait_for(timeout=30000)
    replay = playwright_instance.request.new_context(
        base_url=server.url,
        extra_http_headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in old_cookies)},
    )
    try:
        assert replay.get("/api/reference").status == 401
        assert replay.get("/", max_redirects=0).status == 302
    finally:
        replay.dispose()


def test_back_online_the_sign_in_page_comes_even_when_the_server_answers_late_and_another_request_came_first(
    page, context, server, fresh_ksm
):
    # Found in CI: the outbox's own retry reached the server before the page heard it was online, so the
    # sign-out mark was used up and the page stayed "Tidak ada sinyal". And the phone may say online a
    # moment before the server can be reached.
    day_page = ksm_pages(fresh_ksm["id"])[2]
    sign_in(page)
    warm(page)
    context.set_offline(True)
    page.goto(f"/workers/?ksm_id={fresh_ksm['id']}")
    page.click(SIGN_OUT)
    page.wait_for_url("**/login")
    page.goto(day_page)  # another page than the sign-in page, from the phone
    assert context.request.get("/api/ping").ok  # a request of this phone that reached the server first
    assert "kotaku_signed_out" not in page.evaluate("document.cookie")
    server.stop()
    try:
        context.set_offline(False)
        time.sleep(2)  # the page's first question finds no server
        assert page.url.endswith(day_page) and page.inner_text("h1") == OFFLINE_H1
    finally:
        server.start()
    page.wait_for_url(lambda url: "/login" in url, timeout=60000)
    page.locator("h1", has_text="Masuk").wait_for(timeout=30000)


def test_pages_of_a_user_whose_session_ended_elsewhere_never_reach_the_next_user(
    page, context, server, fresh_ksm
):
    ksm = fresh_ksm["id"]
    sign_in(page)  # the facilitator, whose KSM the treasurer may not see
    warm(page)
    with server.app.app_context():  # a password change on another device ends every session of theirs
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == user_id(server, "faskel")))
        db.session.commit()
    page.goto("/")
    assert "/login" in page.url
    sign_in(page, "bendahara")
    warm(page)
    local = page.evaluate(LOCAL_DATA)
    assert local["reference"]["user"]["username"] == "bendahara"
    assert not [url for url in local["urls"] if f"ksm_id={ksm}" in url or f"/{ksm}/" in url], local["urls"]
    context.set_offline(True)
    for url in ksm_pages(ksm):
        shows_offline_page(page, url, "Ahmad Uji")
    page.goto("/")  # the treasurer's own pages still open offline
    assert "Sri Wahyuni" in page.inner_text("main")


def test_a_record_is_shown_exported_and_sent_only_for_the_user_who_saved_it(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    page.on("dialog", lambda dialog: dialog.accept())  # "N data belum terkirim … Keluar sekarang?"
    sign_in(page)
    warm(page)
    context.set_offline(True)
    page.goto(f"/workers/new?ksm_id={ksm}")
    fill_worker(page, "Milik Faskel", worker_nik())
    page.click(SAVE)
    form_status(page, "tersimpan di HP")
    [record] = records(page)
    assert record["user_id"] == user_id(server, "faskel")
    # It stays unsent while the facilitator leaves (the context's route: the page is the service worker's).
    context.route("**/api/sync", lambda route: route.abort())
    context.set_offline(False)
    page.goto("/")
    page.click(SIGN_OUT)
    page.wait_for_url("**/login")
    context.unroute("**/api/sync")

    sign_in(page, "bendahara")
    page.goto("/outbox")
    until(page, "() => !document.querySelector('[data-outbox-list]').textContent.includes('Memuat')")
    assert "Milik Faskel" not in page.inner_text("main")
    badge = page.locator("[data-outbox-badge]")
    assert badge.is_hidden() or "1 data" not in badge.inner_text()
    with page.expect_download() as download:
        page.click("[data-export-unsent]")
    exported = json.loads(Path(download.value.path()).read_text())
    assert record["uuid"] not in json.dumps(exported)
    page.click("text=Kirim sekarang")
    # The record keeps its state (an empty or settled outbox counts as synced at once): a sync asked now
    # ends after the one the tap started (one sender at a time), so the count below follows that run.
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert server.count(Worker, uuid=record["uuid"]) == 0
    assert [r["state"] for r in records(page)] in (["pending"], ["auth"])  # waiting for its owner

    page.click(SIGN_OUT)
    page.wait_for_url("**/login")
    sign_in(page)  # the facilitator again: the record goes, as theirs
    until(page, "async () => (await Outbox.all()).every((r) => r.state === 'synced')")
    assert server.count(Worker, uuid=record["uuid"], created_by_id=user_id(server, "faskel")) == 1


def test_no_nik_in_clear_on_the_phone_once_the_server_holds_the_record(page, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    nik = worker_nik()
    sign_in(page)
    # The second, with the same NIK in the same season, is a conflict kept for the supervisor.
    for name, outcome in (("Nik Pertama", "terkirim ke server"), ("Nik Kembar", "bentrok")):
        page.goto(f"/workers/new?ksm_id={ksm}")
        fill_worker(page, name, nik)
        page.click(SAVE)
        form_status(page, outcome)
    assert sorted(r["state"] for r in records(page)) == ["conflict", "synced"]
    stored = page.evaluate("async () => JSON.stringify(await Outbox.all())")
    assert nik not in stored and nik[-4:] in stored
