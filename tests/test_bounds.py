"""Issue 11, item 10: ids and dates out of range in URLs answer 404, never 500 (SQLite and PostgreSQL)."""

import pytest

from kotaku_pwa.bounds import MAX_ID, is_id
from tests.test_sync import ksm, sign_in

HUGE = "99999999999999999999"
PAST_32_BITS = str(2**31)


def test_is_id():
    assert is_id("1") and is_id(str(MAX_ID))
    assert not any(is_id(v) for v in ("0", "-1", PAST_32_BITS, HUGE, "", "1e3", " 1", "abc"))


@pytest.mark.parametrize(
    "url",
    [
        f"/workers/?ksm_id={HUGE}",
        f"/workers/?ksm_id={PAST_32_BITS}",
        f"/workers/new?ksm_id={HUGE}",
        f"/meetings/new?kelurahan_id={HUGE}",
        f"/meetings/{HUGE}",
        f"/meetings/{PAST_32_BITS}/photo",
        f"/attendance/{HUGE}/2021-05-03",
        f"/payments/{PAST_32_BITS}/ledger",
        f"/payments/payment/{HUGE}/signature.png",
    ],
)
def test_huge_ids_are_404_for_field_staff(demo, auth, client, url):
    sign_in(auth, "faskel")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_days_out_of_range_are_404(demo, auth, client, day):
    sign_in(auth, "faskel")
    tk1 = ksm().id
    assert client.get(f"/attendance/{tk1}/{day}").status_code == 404
    assert client.get(f"/attendance/{tk1}/{day}/week").status_code == 404
    assert client.get(f"/attendance/{tk1}/go?day={day}").status_code == 404
    assert client.get(f"/attendance/{tk1}/2021-05-03").status_code == 200  # a real day still opens


@pytest.mark.parametrize("conflict_id", [PAST_32_BITS, HUGE])
def test_a_conflict_id_past_32_bits_is_404(demo, auth, conflict_id):
    sign_in(auth, "askot")
    assert auth.post(f"/conflicts/{conflict_id}/resolve", keep="existing").status_code == 404


def test_admin_pages_with_huge_ids_are_404(demo, auth, client):
    sign_in(auth, "admin")
    assert client.get(f"/admin/kota/{HUGE}").status_code == 404
    assert client.get(f"/admin/bkm/new?kelurahan_id={HUGE}").status_code == 404
    assert client.get(f"/admin/ksm/new?kelurahan_id={PAST_32_BITS}").status_code == 404
