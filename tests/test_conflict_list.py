"""Issue 11, item 7: the conflicts list is paged and filtered (kelurahan, kind, age) and always says how
many conflicts are open, so a flood never hides a real conflict."""

import re
from datetime import timedelta

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Conflict, Kelurahan, utcnow
from tests.factories import new_uuid
from tests.test_sync import demo_worker, sign_in, user


def kelurahan(name) -> Kelurahan:
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


def conflict(place, kind="attendance", age_days=0, status="open"):
    worker = demo_worker()
    return Conflict(
        uuid=new_uuid(),
        kind=kind,
        data={"name": "x"},
        payload_hash=new_uuid(),
        created_by_id=user("faskel").id,
        kelurahan_id=place.id,
        reason="Uji.",
        existing_kind="worker",
        existing_uuid=worker.uuid,
        existing_id=worker.id,
        status=status,
        received_at=utcnow() - timedelta(days=age_days, minutes=1),
    )


@pytest.fixture
def flood(demo, auth):
    """120 fresh attendance conflicts in Tanjung Karang, and one real, older worker conflict elsewhere."""
    flooded = kelurahan("Tanjung Karang")
    db.session.add_all(conflict(flooded) for _ in range(120))
    real = conflict(kelurahan("Kekalik Jaya"), kind="worker", age_days=30)
    db.session.add(real)
    db.session.add(conflict(flooded, status="kept_existing"))
    db.session.commit()
    sign_in(auth, "askot")
    return real.id


def shown(html) -> list[int]:
    return [int(i) for i in re.findall(r'id="conflict-(\d+)"', html)]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_open_count_and_every_page(flood, client):
    html = page(client, "/conflicts/")
    assert "121 konflik terbuka" in html
    assert len(shown(html)) == 50
    assert "Menampilkan 1–50 dari 121 konflik terbuka" in html
    assert "Halaman 1 dari 3" in html
    seen = set(shown(html)) | set(shown(page(client, "/conflicts/?page=2")))
    last = page(client, "/conflicts/?page=3")
    seen |= set(shown(last))
    assert len(seen) == 121 and flood in shown(last)  # the oldest, real one is on the last page


def test_paging_keeps_the_filters(flood, client):
    html = page(client, "/conflicts/?kind=attendance&status=all")
    assert "Menampilkan 1–50 dari 121" in html  # 120 open + 1 decided, all attendance
    [next_page] = re.findall(r'rel="next" href="/conflicts/\?([^"]*)"', html)
    assert sorted(next_page.split("&amp;")) == ["kind=attendance", "page=2", "status=all"]


@pytest.mark.parametrize(
    "query",
    ["kind=worker", "age=lama", "kelurahan_id={kekalik}", "kind=worker&age=lama&kelurahan_id={kekalik}"],
)
def test_each_filter_finds_the_real_conflict(flood, client, query):
    html = page(client, "/conflicts/?" + query.format(kekalik=kelurahan("Kekalik Jaya").id))
    assert shown(html) == [flood]
    assert "121 konflik terbuka" in html  # the count of open conflicts is never filtered away


def test_recent_filters_leave_out_the_old_one(flood, client):
    assert flood not in shown(page(client, "/conflicts/?age=1&page=3"))
    assert "dari 120 konflik" in page(client, "/conflicts/?age=7")


@pytest.mark.parametrize("query", ["page=999", "page=0", "page=abc", "kind=bogus", "age=bogus"])
def test_odd_filters_still_show_a_page(flood, client, query):
    assert shown(page(client, "/conflicts/?" + query))


def test_a_huge_kelurahan_filter_is_404(flood, client):
    assert client.get("/conflicts/?kelurahan_id=99999999999999999999").status_code == 404
