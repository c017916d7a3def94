"""Issue 14, item 6: lighter uploads on 3G. A signature travels as a small 1-bit PNG of the strokes'
box, and the outbox page shows how far a long upload is ("Mengirim data 31–60 dari 90…")."""

import base64
import io
import uuid
from datetime import date, timedelta

import pytest
from PIL import Image

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, Kelurahan, Ksm, Payment, User, Worker
from tests.factories import PASSWORD, make_user
from tests.factories import nik as make_nik

from .conftest import SyncLog, sign_in, until, wait_synced
from .test_payments_offline import draw_signature

START = date(2021, 4, 15)
WORKERS = 90


@pytest.fixture
def big_ksm(server):
    """A KSM of 90 workers, each present three days of its first week, and a treasurer of its own."""
    with server.app.app_context():
        kelurahan = db.session.execute(db.select(Kelurahan).filter_by(name="Tanjung Karang")).scalar_one()
        faskel = db.session.execute(db.select(User).filter_by(username="faskel")).scalar_one()
        ksm = Ksm(
            kelurahan_id=kelurahan.id,
            name=f"KSM Sembilan Puluh {uuid.uuid4().hex[:4]}",
            activity="Drainase",
            budget=500_000_000,
            start_date=START,
            end_date=date(2021, 7, 15),
        )
        db.session.add(ksm)
        db.session.flush()
        for i in range(WORKERS):
            worker = Worker(
                uuid=str(uuid.uuid4()),
                payload_hash="test",
                created_by_id=faskel.id,
                ksm_id=ksm.id,
                nik=make_nik(region="527105", gender="L", serial=7000 + ksm.id * 100 + i),
                name=f"Pekerja {i + 1:02d}",
                gender="L",
                birth_date=date(1985, 3, 12),
                category="pekerja",
                low_income_covid=True,
                breadwinner=True,
                season=2021,
            )
            db.session.add(worker)
            db.session.flush()
            for day in range(3):
                db.session.add(
                    Attendance(
                        uuid=str(uuid.uuid4()),
                        payload_hash="test",
                        created_by_id=faskel.id,
                        ksm_id=ksm.id,
                        worker_id=worker.id,
                        work_date=START + timedelta(days=day),
                        present=True,
                    )
                )
        treasurer = make_user("bendahara", username=f"bendahara-{ksm.id}", ksm=ksm)
        db.session.commit()
        return {"id": ksm.id, "username": treasurer.username}


# The payment sheet's records, as payments.js makes them, for every worker of the list: each with a
# signature of its own drawn on a canvas and encoded by signature.js.
SAVE_ALL = """async () => {
    const list = document.querySelector('[data-wage-list]');
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 160 });
    const pen = canvas.getContext('2d');
    const records = [];
    for (const [i, row] of [...list.querySelectorAll('[data-worker-row]')].entries()) {
        pen.fillStyle = '#fff'; pen.fillRect(0, 0, 320, 160);
        pen.strokeStyle = '#000'; pen.lineWidth = 2; pen.beginPath();
        for (let t = 0; t < 200; t += 4) {
            const x = 30 + t * 1.2, y = 80 + 30 * Math.sin((t + i * 7) / (9 + i % 5));
            t ? pen.lineTo(x, y) : pen.moveTo(x, y);
        }
        pen.stroke();
        const data = {
            ksm_id: Number(list.dataset.ksmId), worker_uuid: row.dataset.workerUuid,
            period_start: list.dataset.start, period_end: list.dataset.end, days: Number(row.dataset.days),
            daily_rate: Number(row.dataset.rate), amount: Number(row.dataset.amount),
            paid_on: list.dataset.end,
            method: 'cash', reference: '', signature: await SignaturePng.png(canvas), photo: null,
            no_proof_reason: null,
        };
        records.push({ uuid: Outbox.newId(), kind: 'payment', data, label: row.dataset.name });
    }
    await Outbox.save(records);
    return records.length;
}"""

# Every text the progress line shows, in order (the run is too quick to poll on a fast machine).
WATCH_PROGRESS = """() => {
    window.progressSeen = [];
    const line = document.querySelector('[data-outbox-progress] p');
    new MutationObserver(() => window.progressSeen.push(line.textContent))
        .observe(line, { childList: true, characterData: true, subtree: true });
}"""


def test_ninety_signed_payments_go_in_batches_with_progress_and_arrive_once(context, page, server, big_ksm):
    sign_in(page, big_ksm["username"], PASSWORD)
    page.goto(f"/payments/{big_ksm['id']}/{START}")
    assert page.locator("[data-worker-row]").count() == WORKERS
    context.set_offline(True)  # saved on the phone first, as in the field
    assert page.evaluate(SAVE_ALL) == WORKERS
    # Still offline, the outbox page (the service worker's copy) is made ready to watch: the outbox
    # starts sending by itself as soon as the phone is online, before a test could catch up with it.
    page.goto("/outbox")
    sent = SyncLog(context)
    page.evaluate(WATCH_PROGRESS)
    context.set_offline(False)  # the outbox sends on "online"; the button below asks for the same run
    # Slow 3G as Chromium's DevTools define it: 400 kbit/s each way, 400 ms of latency (set after going
    # online: Playwright's switch back online lifts any throttling set before it).
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
    )
    page.click("[data-sync-now]")
    line = "document.querySelector('[data-outbox-progress] p').textContent"
    until(page, f"() => {line}.includes('dari 90')")
    wait_synced(page, timeout=120_000)
    until(page, f"() => {line} === '90 data terkirim.'")

    seen = page.evaluate("window.progressSeen")
    steps = [text for text in dict.fromkeys(seen) if text.startswith("Mengirim data ")]
    assert len(steps) >= 2, seen  # 90 signed payments are several batches, each shown
    assert steps[0].startswith("Mengirim data 1–") and all(text.endswith(" dari 90…") for text in steps)
    assert page.locator("progress").evaluate("p => [p.value, p.max]") == [90, 90]

    uuids = [u for batch in sent.batches for u in batch]
    assert len(uuids) == WORKERS and len(set(uuids)) == WORKERS  # every record sent once
    assert len(sent.batches) == len(steps)
    with server.app.app_context():
        stored = db.session.scalars(db.select(Payment).filter_by(ksm_id=big_ksm["id"])).all()
        assert len(stored) == WORKERS and {p.uuid for p in stored} == set(uuids)
        assert max(p.signature_size for p in stored) < 2_000  # 1-bit PNGs, stored as sent


def test_a_drawn_signature_travels_as_a_small_one_bit_png(page, server, fresh_ksm):
    """The payment sheet's signature, before (the canvas as toDataURL writes it, what was sent until
    issue 14) and after (signature.js): a fraction of the bytes, and the same strokes."""
    with server.app.app_context():
        ksm = db.session.get(Ksm, fresh_ksm["id"])
        worker = db.session.execute(db.select(Worker).filter_by(uuid=fresh_ksm["workers"][0])).scalar_one()
        for day in range(2):
            db.session.add(
                Attendance(
                    uuid=str(uuid.uuid4()),
                    payload_hash="test",
                    created_by_id=worker.created_by_id,
                    ksm_id=ksm.id,
                    worker_id=worker.id,
                    work_date=START + timedelta(days=day),
                    present=True,
                )
            )
        treasurer = make_user("bendahara", username=f"bendahara-{ksm.id}", ksm=ksm)
        db.session.commit()
        username = treasurer.username
    sign_in(page, username, PASSWORD)
    page.goto(f"/payments/{fresh_ksm['id']}/{START}")
    page.click("[data-worker-row][data-name='Ahmad Uji'] [data-pay]")
    draw_signature(page)
    canvas = page.evaluate("document.querySelector('[data-signature]').toDataURL('image/png')")
    page.click("[data-pay-save]")
    wait_synced(page, at_least=1)  # the signature becomes a PNG before the payment reaches the outbox
    [record] = page.evaluate("async () => (await Outbox.all()).filter((r) => r.kind === 'payment')")
    sent = record["data"]["signature"]
    before, after = (base64.b64decode(url.split(",", 1)[1]) for url in (canvas, sent))
    print(f"signature: {len(before)} bytes before, {len(after)} after ({len(canvas)} → {len(sent)} chars)")
    assert len(after) * 5 < len(before)
    image = Image.open(io.BytesIO(after))
    assert image.mode == "1" and image.width < 320 and image.height < 160  # 1 bit, the strokes' box
    drawn = Image.open(io.BytesIO(before)).convert("L")
    ink = sum(drawn.histogram()[:128])
    kept = image.histogram()[0]  # black pixels of the 1-bit image
    assert ink <= kept <= ink * 2  # every stroke kept (anti-aliased edges become ink, none is lost)
    assert record["state"] == "synced"
    with server.app.app_context():
        row = db.session.execute(db.select(Payment).filter_by(uuid=record["uuid"])).scalar_one()
        assert row.signature_size < 1_000
