"""The outbox and the forms in the user's terms, and small things found on the way (issue 9 items 7, 9)."""

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, Ksm

from .conftest import records, sign_in, until, wait_synced, warm


def test_offline_buka_opens_the_chosen_day_and_the_sheet_is_one_card(page, context, server, fresh_ksm):
    ksm = fresh_ksm["id"]
    sign_in(page)
    warm(page)
    page.goto(f"/attendance/{ksm}/2021-05-04")
    context.set_offline(True)
    page.evaluate("document.querySelector('[data-day-picker]').value = '2021-05-06'")
    page.click("[data-day-go]")  # "Buka", offline
    until(page, "() => location.pathname.endsWith('/2021-05-06')")
    assert "Kamis, 6 Mei 2021" in page.inner_text("[data-day-label]")
    page.check("[data-all-present]")
    page.uncheck("input[name=present] >> nth=0")
    page.click("text=Simpan kehadiran")
    status = "() => document.querySelector('[data-form-status]').textContent"
    until(page, f"() => ({status})().includes('tersimpan di HP')")
    text = page.inner_text("[data-form-status]")
    assert "Kamis 6 Mei 2021: 2 hadir dari 3" in text and " data" not in text  # HOK and names, never "3 data"
    name = page.get_attribute("[data-attendance-day]", "data-ksm-name")
    assert {r["sheet_label"] for r in records(page)} == {
        f"Kehadiran {name}, Kamis 6 Mei 2021: 2 hadir dari 3"
    }
    page.goto("/outbox")
    until(page, "() => document.querySelectorAll('#outbox-list > ul > .outbox-item').length > 0")
    cards = page.locator("#outbox-list > ul > .outbox-item")
    assert cards.count() == 1
    assert "Kamis 6 Mei 2021: 2 hadir dari 3" in cards.first.inner_text()
    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert server.count(Attendance, ksm_id=ksm) == 3


def test_indonesian_messages_and_the_field_is_not_under_the_sticky_bar(page, fresh_ksm):
    sign_in(page)
    page.goto(f"/workers/new?ksm_id={fresh_ksm['id']}")
    page.fill("#name", "Tanpa NIK")
    page.fill("#nik", "12ab")
    page.click('form[data-outbox] button[type="submit"]')
    until(page, "() => document.querySelector('[aria-invalid=\"true\"]') !== null")
    errors = page.inner_text("form[data-outbox]")
    assert "NIK harus 16 angka." in errors and "Pilih salah satu." in errors
    assert "Please" not in errors
    assert records(page) == []
    # The invalid field is below the sticky top bar, not hidden under it.
    top_bar = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
    nik_top = page.evaluate("document.querySelector('#nik').getBoundingClientRect().top")
    assert nik_top >= top_bar


def test_tap_targets_are_at_least_44_px(page, server):
    sign_in(page, "bendahara")
    with server.app.app_context():
        tk1 = db.session.execute(db.select(Ksm.id).where(Ksm.name == "KSM Tanjung Karang 1")).scalar_one()
    page.goto(f"/payments/{tk1}/2021-04-22")  # a week with wages to pay: "Bayar" buttons
    page.wait_for_selector("[data-pay]")
    heights = page.evaluate(
        """() => [...document.querySelectorAll('[data-pay], .chips a, .topbar .link')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.textContent.trim(), Math.round(el.getBoundingClientRect().height)])"""
    )
    assert any(text == "Bayar" for text, _ in heights) and any(text == "Keluar" for text, _ in heights)
    assert all(h >= 44 for _, h in heights), heights
