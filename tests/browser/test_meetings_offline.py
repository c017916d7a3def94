"""The faskel records a coaching KSM with twelve attendees and its health check offline, saves once;
back online both records reach the server exactly once, linked, and the daftar hadir lists all twelve."""

import uuid

from kotaku_pwa import db
from kotaku_pwa.models import HealthCheck, Kelurahan, Ksm, Meeting, MeetingAttendee

from .conftest import form_status, sign_in, unsent, until, wait_synced, warm

# (name, gender); the first five are KSM members, then two officials, then residents.
PEOPLE = [
    ("Lalu Muhammad Saleh", "L"),
    ("Baiq Nurul Aini", "P"),
    ("Sri Wahyuni", "P"),
    ("Muhammad Zaini", "L"),
    ("Nurhayati", "P"),
    ("H. Lalu Sudirman", "L"),
    ("Ahmad Fauzi", "L"),
    ("Inaq Sumiati", "P"),
    ("Saharudin", "L"),
    ("Siti Zuhriah", "P"),
    ("Supardi", "L"),
    ("Zainal Abidin", "L"),
]


def row(page, number):
    return page.locator(f"[data-attendee-list] > li:nth-child({number})")


def fill_row(page, number, name, gender):
    page.fill(f"[data-attendee-list] > li:nth-child({number}) [data-a=name]", name)
    page.select_option(f"[data-attendee-list] > li:nth-child({number}) [data-a=gender]", gender)


def test_a_coaching_ksm_recorded_offline_syncs_once_with_its_health_check(page, context, server):
    place = f"Balai uji {uuid.uuid4().hex[:8]}"
    with server.app.app_context():
        kelurahan_id = db.session.execute(
            db.select(Kelurahan.id).filter_by(name="Tanjung Karang")
        ).scalar_one()
        ksm_id = db.session.execute(db.select(Ksm.id).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
    sign_in(page)
    warm(page)
    context.set_offline(True)
    page.goto(f"/meetings/new?kelurahan_id={kelurahan_id}")  # from the service worker's cache
    page.select_option("#type", "coaching_ksm")
    page.select_option("#ksm_id", str(ksm_id))
    page.fill("#place", place)
    page.fill("#team", "Rina Marlina")
    for topic in ("concept", "aims", "funds"):
        page.check(f"input[name=topics][value={topic}]")
    assert page.is_hidden("input[name=outcomes]")  # MP2K outcomes belong to MP2K only

    # Fast entry: the first KSM member, then "same role" rows, Enter for the next line, new rows.
    page.select_option("[data-attendee-list] > li:nth-child(1) [data-a=role]", "ksm")
    fill_row(page, 1, *PEOPLE[0])
    for number in range(2, 5):
        page.click("[data-repeat-role]")
        fill_row(page, number, *PEOPLE[number - 1])
    page.press("[data-attendee-list] > li:nth-child(4) [data-a=name]", "Enter")
    fill_row(page, 5, *PEOPLE[4])
    page.click("[data-add-row]")
    page.select_option("[data-attendee-list] > li:nth-child(6) [data-a=role]", "kelurahan")
    fill_row(page, 6, *PEOPLE[5])
    page.click("[data-repeat-role]")
    fill_row(page, 7, *PEOPLE[6])
    for number in range(8, 14):  # one row too many, removed below
        page.click("[data-add-row]")
        if number < 13:
            fill_row(page, number, *PEOPLE[number - 1])
    row(page, 13).locator("[data-remove-row]").click()
    roles = [row(page, n).locator("[data-a=role]").input_value() for n in range(1, 13)]
    assert roles == ["ksm"] * 5 + ["kelurahan"] * 2 + ["warga"] * 5
    assert page.inner_text("[data-gender-counts]") == "12 peserta · 7 laki-laki · 5 perempuan"

    page.check("input[name=with_health]")
    page.fill("#masks_worn", "11")
    page.check("input[name=distancing]")
    page.check("input[name=handwash_soap]")
    page.check("input[name=temperature_checked]")
    page.click("text=Simpan pertemuan")
    form_status(page, "tersimpan di HP")
    assert unsent(page) == 2
    assert page.locator("[data-attendee-list] > li").count() == 1  # ready for the next meeting
    page.reload()
    assert unsent(page) == 2

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0
    assert server.count(Meeting, place=place) == 1
    with server.app.app_context():
        meeting = db.session.execute(db.select(Meeting).filter_by(place=place)).scalar_one()
        meeting_id, topics = meeting.id, meeting.topics
        names = [a.name for a in meeting.attendees]
        check = db.session.execute(db.select(HealthCheck).filter_by(meeting_id=meeting_id)).scalar_one()
        counted = (check.people_present, check.masks_worn, check.setting)
    assert names == [name for name, _ in PEOPLE]
    assert topics == ["concept", "aims", "funds"]
    assert server.count(MeetingAttendee, meeting_id=meeting_id) == 12
    assert server.count(HealthCheck, meeting_id=meeting_id) == 1
    assert counted == (12, 11, "meeting")

    page.goto("/meetings/")
    page.click(f"text={place}")
    until(page, f"() => location.pathname === '/meetings/{meeting_id}'")
    assert "12 orang: 7 laki-laki, 5 perempuan" in page.inner_text("main")
    page.goto(f"/meetings/{meeting_id}/daftar-hadir")
    sheet = page.inner_text("table.sheet-table")
    assert all(name in sheet for name, _ in PEOPLE)
    assert page.locator("table.sheet-table tbody tr").count() == 12
