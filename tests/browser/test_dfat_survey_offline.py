"""A DFAT facilitator records a water and sanitation survey offline on a 360 px phone; back online it
reaches the server exactly once, and the kelurahan page shows the new coverage against the 80 % target."""

import uuid

from kotaku_pwa import db
from kotaku_pwa.models import Kelurahan, User, WatsanSurvey

from .conftest import form_status, sign_in, unsent, until, wait_synced, warm

PASSWORD = "uji-dfat-kebon-sari-2021"


def make_dfat_facilitator(server):
    """A fasilitator of Kebon Sari (the demo faskel works in CFW kelurahan only)."""
    username = f"faskel-dfat-{uuid.uuid4().hex[:6]}"
    with server.app.app_context():
        kebon_sari = db.session.execute(db.select(Kelurahan).filter_by(name="Kebon Sari")).scalar_one()
        user = User(username=username, full_name="Faskel DFAT Kebon Sari", role="fasilitator")
        user.set_password(PASSWORD)
        user.kelurahan = [kebon_sari]
        db.session.add(user)
        db.session.commit()
        return username, kebon_sari.id


def test_a_survey_made_offline_syncs_once_and_shows_on_the_kelurahan_page(page, context, server):
    username, kelurahan_id = make_dfat_facilitator(server)
    note = f"Survei uji {uuid.uuid4().hex[:8]}"
    sign_in(page, username, PASSWORD)
    warm(page)  # the DFAT page and the survey form of Kebon Sari are among the pages kept offline

    context.set_offline(True)
    page.goto(f"/dfat/kelurahan/{kelurahan_id}")  # from the service worker's cache
    page.click("text=+ Catat survei")
    until(page, f"() => location.pathname === '/dfat/kelurahan/{kelurahan_id}/survey'")
    page.fill("#surveyed_on", "2021-11-02")
    page.fill("#households", "120")
    page.fill("#households_safe_water", "102")
    page.fill("#households_safe_sanitation", "90")
    page.fill("#notes", note)
    page.click("text=Simpan survei")
    form_status(page, "tersimpan di HP")
    assert unsent(page) == 1
    assert server.count(WatsanSurvey, notes=note) == 0

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0
    assert server.count(WatsanSurvey, notes=note) == 1
    page.evaluate("Outbox.sync({force: true})")  # a resend never stores it twice
    wait_synced(page)
    assert server.count(WatsanSurvey, notes=note) == 1

    page.goto(f"/dfat/kelurahan/{kelurahan_id}")
    coverage = page.inner_text("[data-coverage]")
    assert "85 %" in coverage and "mencapai target 80 %" in coverage  # 102 of 120
    assert "75 %" in coverage and "di bawah target 80 %" in coverage  # 90 of 120
    assert page.locator("figure.chart svg polyline.water").count() == 1
    # Two surveys now (the demo baseline and this one): the line has two points.
    assert len(page.get_attribute("figure.chart svg polyline.water", "points").split()) == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
