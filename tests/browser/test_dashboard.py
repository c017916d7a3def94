"""The supervisor's dashboard in Chromium: on a 360 px phone and a 1280 px laptop, the page never
scrolls sideways, the charts are drawn (SVG, no script, no inline style) and no console error is
logged; the drill-down from the dashboard to a kelurahan and a KSM, and from the home page."""

import pytest

from .conftest import sign_in

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _wide_enough(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    # Every chart fits its box (the SVG scales with the page).
    for box in page.query_selector_all("svg.chart-svg"):
        assert box.bounding_box()["width"] <= width


@pytest.mark.parametrize("width", [360, 1280])
def test_dashboard_drill_down_fits_the_screen(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "askot")
    link = page.locator("main a[href^='/dashboard/kelurahan/']").first
    assert link.count() == 1  # every kelurahan of the home page is a link
    page.goto("/dashboard/")
    assert "Dashboard kemajuan" in page.inner_text("h1")
    assert page.locator("svg.chart-svg").count() >= 3
    assert page.locator("table.grid").count() >= 1  # the numbers also in a table
    _wide_enough(page)
    charts = page.locator("figure.chart")
    first, second = charts.nth(0).bounding_box(), charts.nth(1).bounding_box()
    if width >= 720:
        assert first["y"] == second["y"]  # two charts side by side on a laptop
    else:
        assert second["y"] > first["y"]  # one below the other on a phone

    page.click("main a[href^='/dashboard/kelurahan/']:has-text('Tanjung Karang')")
    page.wait_for_url("**/dashboard/kelurahan/**")
    assert "Kelurahan Tanjung Karang" in page.inner_text("h1")
    _wide_enough(page)

    page.locator("main a[href^='/dashboard/ksm/']").first.click()
    page.wait_for_url("**/dashboard/ksm/**")
    assert "Periode pembayaran" in page.inner_text("main")
    _wide_enough(page)


def test_a_bad_filter_shows_a_message(page):
    sign_in(page, "askot")
    page.goto("/dashboard/?dari=2021-13-40&program=XX")
    alerts = page.locator("[role=alert]").all_inner_texts()
    assert any("Tanggal awal tidak valid" in a for a in alerts)
    assert any("Program tidak dikenal" in a for a in alerts)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_admin_dashboard_on_a_phone(page):
    sign_in(page, "admin")
    page.goto("/dashboard/")
    assert "Kota Mataram" in page.inner_text("main") or "Mataram" in page.inner_text("main")
    _wide_enough(page)
