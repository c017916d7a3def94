"""When sending goes wrong: a lost reply, error answers, a stale token, a server out of reach.
Nothing is marked sent that the server did not confirm, and nothing is stored twice
(docs/offline.md behaviours 4, 5, 6, 11)."""

import json
import uuid
from datetime import date

import pytest

from kotaku_pwa.models import Attendance, Conflict, Worker

from .conftest import (
    SyncLog,
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


def test_lost_reply_after_the_server_stored_the_records_is_resent_without_a_second_row(
    page, context, server, fresh_ksm
):
    ksm, day = fresh_ksm["id"], date(2021, 5, 31)
    sign_in(page)
    lost = []

    def lose_first_reply(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch())  # the server stores the records and answers...
        route.abort()  # ...and the answer never reaches the phone

    # The context's route: the page is controlled by the service worker, whose requests a page's route
    # may not see.
    context.route("**/api/sync", lose_first_reply)
    page.goto(f"/attendance/{ksm}/{day}")
    page.check("[data-all-present]")
    page.click("text=Simpan kehadiran")
    form_status(page, "tersimpan di HP")
    assert lost and lost[0].status == 200
    assert {r["status"] for r in lost[0].json()["results"]} == {"created"}
    saved = records(page)
    assert [r["state"] for r in saved] == ["pending"] * 3  # the phone does not know they arrived
    assert "terputus" in saved[0]["message"]
    assert server.count(Attendance, ksm_id=ksm, work_date=day) == 3

    with page.expect_response("**/api/sync") as resent:
        page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert {r["status"] for r in resent.value.json()["results"]} == {"duplicate"}
    assert [r["state"] for r in records(page)] == ["synced"] * 3
    assert server.count(Attendance, ksm_id=ksm, work_date=day) == 3
    assert sum(server.count(Conflict, uuid=r["uuid"]) for r in saved) == 0
    badge_shows(page, "")


# What the phone must make of each answer: the state the record keeps, and what the user reads.
FAILURES = {
    # A 500 whose body looks like success: only a 200 with the uuid echoed counts.
    500: ("pending", "Menunggu dikirim", "Server menjawab 500"),
    401: ("auth", "Perlu masuk lagi", "Sesi berakhir. Masuk lagi"),
    403: ("pending", "Menunggu dikirim", "Token keamanan ditolak"),
    409: ("pending", "Menunggu dikirim", "Server menjawab 409"),
    302: ("auth", "Perlu masuk lagi", "Sesi berakhir. Masuk lagi"),
    # A 200 whose results do not name the record (a proxy's, or another request's, answer).
    200: ("pending", "Menunggu dikirim", "Belum dijawab server"),
}


@pytest.mark.parametrize("status", list(FAILURES))
def test_error_answers_mark_nothing_sent_and_say_why(page, context, server, fresh_ksm, status):
    state, label, message = FAILURES[status]
    sign_in(page)
    answered = []

    def fail(route):
        uuids = [r["uuid"] for r in json.loads(route.request.post_data)["records"]]
        answered.append(uuids)
        if status == 302:  # a proxy or an expired session sending the phone to the login page
            route.fulfill(status=302, headers={"Location": "/login"})
        elif status == 200:
            route.fulfill(
                status=200, json={"results": [{"uuid": str(uuid.uuid4()), "status": "created", "id": 1}]}
            )
        else:
            body = {"results": [{"uuid": u, "status": "created", "id": 1} for u in uuids]}
            route.fulfill(status=status, json=body if status == 500 else {"error": "x", "status": status})

    context.route("**/api/sync", fail)  # the context's: see the lost reply above
    page.goto(f"/workers/new?ksm_id={fresh_ksm['id']}")
    fill_worker(page, f"Gagal {status}", worker_nik())
    page.click(SAVE)
    form_status(page, "— tersimpan di HP, dikirim" if state == "pending" else "menunggu Anda masuk lagi")
    [record] = records(page)
    assert answered and all(batch == [record["uuid"]] for batch in answered)
    assert len(answered) <= 2  # refused once, maybe retried once: never sent in a loop
    assert (record["state"], message in record["message"]) == (state, True), record
    assert server.count(Worker, uuid=record["uuid"]) == 0
    badge_shows(page, "1 data tersimpan di HP, belum terkirim")

    page.goto("/outbox")  # the record, its state and the reason, in words
    item = until(  # the page's own try on load (and the retries) are refused the same way
        page,
        f"""() => {{
            const text = document.querySelector('.outbox-item')?.innerText || '';
            return text.includes('{label}') && text.includes('{message}') && text;
        }}""",
    )
    assert f"Gagal {status}" in item
    assert records(page)[0]["state"] in (state, "sending")
    assert server.count(Worker, uuid=record["uuid"]) == 0

    context.unroute("**/api/sync")
    page.click("text=Kirim sekarang")
    wait_synced(page)
    until(page, "() => document.querySelector('.outbox-item').textContent.includes('Terkirim')")
    assert server.count(Worker, uuid=record["uuid"]) == 1
    badge_shows(page, "")


def test_form_page_with_a_stale_token_still_syncs(page, context, server, fresh_ksm, console):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)  # and so no request of the old session is still under way
    page.goto(f"/workers/new?ksm_id={ksm}")  # opened "hours ago"; this page is never reloaded
    old_token = page.input_value('form[data-logout] [name="csrf_token"]')
    context.clear_cookies()  # the session expires meanwhile...
    fill_worker(page, "Nyoman Sabar", worker_nik())
    page.click(SAVE)
    form_status(page, "menunggu Anda masuk lagi")  # ...so the record waits, kept, for a sign-in
    [first] = records(page)
    assert first["state"] == "auth" and "Masuk lagi" in first["message"]

    other = console.watch(context.new_page())
    sign_in(other)  # a new session: the old page's token is worthless now
    refused = other.evaluate(
        """async (token) => (await fetch('/api/sync', {method: 'POST', body: '{"records": []}',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}})).status""",
        old_token,
    )
    assert refused in (400, 403)
    # The new page's load sends what waited ("auth" is not "pending": wait for "synced" itself).
    until(other, "async () => (await Outbox.all())[0].state === 'synced'")
    assert server.count(Worker, uuid=first["uuid"]) == 1

    page.bring_to_front()
    fill_worker(page, "Nyoman Kedua", worker_nik())  # the old page, old token in its HTML
    page.click(SAVE)
    form_status(page, "Nyoman Kedua — terkirim ke server")
    second = records(page)[-1]
    assert second["state"] == "synced" and second["uuid"] != first["uuid"]
    assert server.count(Worker, uuid=second["uuid"]) == 1


def test_server_out_of_reach_while_online_keeps_records_pending(page, context, server, fresh_ksm):
    sign_in(page)
    page.goto(f"/workers/new?ksm_id={fresh_ksm['id']}")
    log = SyncLog(context)
    # The phone has a network (navigator.onLine) but the server does not answer it.
    context.route("**/api/**", lambda route: route.abort("connectionrefused"))
    fill_worker(page, "Made Menunggu", worker_nik())
    page.click(SAVE)
    form_status(page, "— tersimpan di HP, dikirim otomatis")
    assert page.evaluate("navigator.onLine") is True
    page.evaluate("Outbox.sync({force: true})")
    [record] = records(page)
    assert record["state"] == "pending" and "belum terjangkau" in record["message"]
    badge_shows(page, "1 data tersimpan di HP, belum terkirim")
    assert log.batches == []  # the probe failed, so nothing was sent into the void
    assert server.count(Worker, uuid=record["uuid"]) == 0

    # A captive portal (hotel, mall Wi-Fi) answers every request with its own page, status 200.
    context.unroute("**/api/**")
    portal = "<html><body>Masuk ke Wi-Fi</body></html>"
    context.route("**/api/**", lambda route: route.fulfill(status=200, content_type="text/html", body=portal))
    page.evaluate("Outbox.sync({force: true})")
    assert records(page)[0]["state"] == "pending"
    assert log.batches == []

    context.unroute("**/api/**")
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert records(page)[0]["state"] == "synced"
    assert server.count(Worker, uuid=record["uuid"]) == 1
    assert log.times(record["uuid"]) == 1
