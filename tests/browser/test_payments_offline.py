"""The treasurer pays three workers offline with signatures; exactly three payments reach the server."""

import io
import json
from datetime import date

from openpyxl import load_workbook

from kotaku_pwa import db
from kotaku_pwa.models import Ksm, Payment
from tests.factories import image_of

from .conftest import sign_in, unsent, until, wait_synced, warm

PERIOD = "2021-04-22"


def draw_signature(page):
    box = page.locator("[data-signature]").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 20, box["y"] + 100 - (step % 3) * 25)
    page.mouse.up()


def test_three_offline_payments_reach_the_server_once(page, context, server):
    with server.app.app_context():
        ksm_id = db.session.execute(db.select(Ksm.id).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
    sign_in(page, "bendahara")
    warm(page)
    page.goto(f"/payments/{ksm_id}/{PERIOD}")
    rows = page.locator("[data-worker-row]:has([data-pay])")
    names = [rows.nth(i).get_attribute("data-name") for i in range(3)]
    amounts = [int(rows.nth(i).get_attribute("data-amount")) for i in range(3)]
    context.set_offline(True)
    page.reload()  # the wage list opens from the service worker's cache
    for name in names:
        page.click(f"[data-worker-row][data-name='{name}'] [data-pay]")
        assert name in page.inner_text("[data-pay-name]")
        draw_signature(page)
        page.click("[data-pay-save]")
        until(
            page,
            f"() => document.querySelector(\"[data-name='{name}'] [data-status]\")"
            ".textContent.includes('Dibayar')",
        )
    assert unsent(page) == 3
    page.reload()
    assert unsent(page) == 3
    for name in names:  # still shown as paid from the phone's outbox
        assert "Dibayar" in page.inner_text(f"[data-name='{name}'] [data-status]")
    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0
    with server.app.app_context():
        # This period's payments (the demo's story has paid another week of this KSM).
        stored = db.session.scalars(
            db.select(Payment).where(
                Payment.ksm_id == ksm_id, Payment.period_start == date.fromisoformat(PERIOD)
            )
        ).all()
        assert len(stored) == 3
        assert sorted(p.amount for p in stored) == sorted(amounts)
        assert all(image_of(p, "signature").startswith(b"\x89PNG") for p in stored)
    page.reload()
    for name in names:
        assert "Dibayar" in page.inner_text(f"[data-name='{name}'] [data-status]")
    sheet = page.request.get(f"/payments/{ksm_id}/{PERIOD}/daftar-upah.xlsx")
    book = load_workbook(io.BytesIO(sheet.body())).active
    lines = [r for r in book.iter_rows(values_only=True) if isinstance(r[0], int)]
    total = next(r for r in book.iter_rows(values_only=True) if r[1] == "JUMLAH")
    assert sum(r[6] for r in lines) == total[6]
    signed = [r for r in lines if r[7]]
    assert sorted(r[1] for r in signed) == sorted(names)


def pay_sheet_shows(page, name):
    until(
        page,
        "() => document.querySelector('[data-pay-dialog]').open"
        f" && document.querySelector('[data-pay-name]').textContent === {json.dumps(name)}",
    )


def test_pay_all_asks_each_worker_in_turn_and_cancel_stops_the_round(page, server):
    with server.app.app_context():
        ksm_id = db.session.execute(db.select(Ksm.id).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
    sign_in(page, "bendahara")
    page.goto(f"/payments/{ksm_id}/2021-04-15")
    unpaid = page.locator("[data-worker-row]:has([data-pay])")
    names = [unpaid.nth(i).get_attribute("data-name") for i in range(unpaid.count())]
    assert len(names) >= 3, names
    page.click("[data-pay-all]")
    for name in names[:2]:
        pay_sheet_shows(page, name)
        page.click("[data-pay-save]")  # no signature and no photo: refused, the sheet stays open
        assert "tanda tangan" in page.inner_text("[data-pay-status]")
        page.select_option("#pay-method", "transfer")
        draw_signature(page)
        page.click("[data-pay-save]")
        assert "referensi" in page.inner_text("[data-pay-status]")
        page.fill("#pay-reference", f"TRF-{name[:3]}")
        page.click("[data-pay-save]")
    pay_sheet_shows(page, names[2])
    page.click("[data-pay-cancel]")  # stops the round: the third worker stays unpaid
    assert not page.locator("[data-pay-dialog]").is_visible()
    wait_synced(page)
    with server.app.app_context():
        paid = db.session.scalars(
            db.select(Payment).where(Payment.ksm_id == ksm_id, Payment.period_start == date(2021, 4, 15))
        ).all()
        assert sorted(p.worker.name for p in paid) == sorted(names[:2])
        assert {p.method for p in paid} == {"transfer"} and all(p.reference for p in paid)
    assert "Belum dibayar" in page.inner_text(f"[data-name='{names[2]}'] [data-status]")


def test_a_payment_row_says_when_the_server_has_it_without_a_reload(page, context, server):
    """Walked on a slow link: the row kept "Dibayar (tersimpan di HP)" after the payment was on the server."""
    with server.app.app_context():
        ksm_id = db.session.execute(db.select(Ksm.id).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
    sign_in(page, "bendahara")
    page.goto(f"/payments/{ksm_id}/2021-05-06")
    row = page.locator("[data-worker-row]:has([data-pay])").first
    name = row.get_attribute("data-name")
    status = f"[data-worker-row][data-name='{name}'] [data-status]"
    context.set_offline(True)
    row.locator("[data-pay]").click()
    draw_signature(page)
    page.click("[data-pay-save]")
    until(page, f"() => document.querySelector(\"{status}\").textContent.includes('tersimpan di HP')")
    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    until(page, f"() => document.querySelector(\"{status}\").textContent.trim() === 'Dibayar'")
