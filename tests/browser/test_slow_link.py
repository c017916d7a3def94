"""Nothing typed is lost on a slow link (issue 9 item 1): with 3 s of latency on every request, a
facilitator registers 20 workers in a row; the form is renewed as soon as each record is in the outbox,
the late replies touch only the status line, and all 20 reach the server exactly once."""

from kotaku_pwa.models import Worker

from .conftest import SyncLog, fill_worker, records, sign_in, until, wait_synced, worker_nik

SAVE = 'form[data-outbox] button[type="submit"]'
LATENCY_MS = 3000


def test_twenty_workers_typed_on_a_slow_link_all_reach_the_server_once(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    sign_in(page)
    page.goto(f"/workers/new?ksm_id={ksm}")
    log = SyncLog(context)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": LATENCY_MS, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    names = [f"Lambat {i:02d}" for i in range(20)]
    uuids = []
    for name in names:
        uuid_before = page.evaluate("document.querySelector('form[data-outbox]').dataset.uuid")
        fill_worker(page, name, worker_nik())
        page.click(SAVE)
        # Renewed at once (well before any reply could come): empty fields, a new uuid.
        until(page, "() => document.querySelector('#name').value === ''", timeout=2000)
        assert page.input_value("#nik") == ""
        assert page.evaluate("document.querySelector('form[data-outbox]').dataset.uuid") != uuid_before
        assert name in page.inner_text("[data-form-status]")
        uuids.append(uuid_before)
    # A late reply arrives while the next worker is being typed: it never touches the form.
    page.fill("#name", "Sedang diketik")
    wait_synced(page, timeout=240000)
    assert page.input_value("#name") == "Sedang diketik"
    saved = {r["uuid"]: r for r in records(page) if r["kind"] == "worker"}
    assert sorted(r["data"]["name"] for r in saved.values()) == names
    assert set(saved) == set(uuids)
    assert all(r["state"] == "synced" for r in saved.values())
    for uuid in uuids:
        assert server.count(Worker, uuid=uuid) == 1
    assert server.count(Worker, ksm_id=ksm) == 3 + 20
    assert all(log.times(uuid) >= 1 for uuid in uuids)
