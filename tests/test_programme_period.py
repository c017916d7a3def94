"""Issue 11, item 10: dates of meetings, health checks, spending and tranches lie in the programme
period, and a tranche number in the plan. The rules, then HTTP through /api/sync."""

from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Spending, TrancheReceipt
from kotaku_pwa.programme_period import ksm_window, not_before, outside, tranche_problem
from tests.factories import new_uuid
from tests.test_meetings import health, meeting, sync
from tests.test_payments import ksm_named


def test_ksm_window_spans_its_programme_years():
    assert ksm_window(date(2021, 4, 15), date(2021, 7, 15)) == (date(2021, 1, 1), date(2021, 12, 31))
    assert ksm_window(date(2021, 11, 1), date(2022, 2, 28)) == (date(2021, 1, 1), date(2022, 12, 31))


def test_outside_and_not_before():
    first, last = date(2021, 1, 1), date(2021, 12, 31)
    assert outside(date(2021, 6, 1), first, last) is None
    assert (
        outside(date(2020, 12, 31), first, last)
        == "Tanggal di luar masa program (01-01-2021 s.d. 31-12-2021)."
    )
    assert outside(date(2022, 1, 1), first, last, "Tanggal diterima").startswith("Tanggal diterima di luar")
    assert not_before(date(2020, 1, 1), date(2020, 1, 1)) is None
    assert not_before(date(2019, 12, 31), date(2020, 1, 1)) == "Tanggal sebelum masa program (01-01-2020)."


def test_tranche_problem():
    assert tranche_problem(1, 2) is None and tranche_problem(2, 2) is None
    assert tranche_problem(3, 2) == "Tahap pencairan di luar rencana (tahap 1 s.d. 2)."
    assert tranche_problem(0, 2)


@pytest.fixture
def treasurer(demo, auth):
    auth.login("bendahara")
    return ksm_named("KSM Tanjung Karang 1")  # 15 April to 15 July 2021, plan 70 % + 30 %


def tranche(ksm, number=1, received_on="2021-04-14"):
    data = {"ksm_id": ksm.id, "tranche": number, "amount": 1_000_000, "received_on": received_on}
    return {"uuid": new_uuid(), "kind": "tranche", "data": data}


def spending(ksm, spent_on):
    data = {
        "ksm_id": ksm.id,
        "spent_on": spent_on,
        "category": "alat",
        "description": "Cangkul",
        "amount": 250_000,
    }
    return {"uuid": new_uuid(), "kind": "spending", "data": data}


def test_tranches_inside_the_plan_and_the_programme_year(treasurer, auth):
    results = sync(
        auth,
        tranche(treasurer, 1, "2020-12-31"),  # before the KSM's programme year
        tranche(treasurer, 3, "2021-05-01"),  # the plan has two stages
        tranche(treasurer, 1, "2021-01-05"),
        tranche(treasurer, 2, "2021-06-01"),
    )
    assert [r["status"] for r in results] == ["invalid", "invalid", "created", "created"]
    assert results[0]["errors"] == {
        "received_on": "Tanggal diterima di luar masa program (01-01-2021 s.d. 31-12-2021)."
    }
    assert results[1]["errors"] == {"tranche": "Tahap pencairan di luar rencana (tahap 1 s.d. 2)."}
    assert db.session.scalar(db.select(db.func.count(TrancheReceipt.id))) == 2


def test_spending_inside_the_programme_year(treasurer, auth):
    results = sync(auth, spending(treasurer, "2020-06-01"), spending(treasurer, "2021-03-01"))
    assert [r["status"] for r in results] == ["invalid", "created"]
    assert set(results[0]["errors"]) == {"spent_on"}
    assert db.session.scalar(db.select(db.func.count(Spending.id))) == 1


def test_meetings_and_checks_not_before_the_programme(demo, auth):
    auth.login("faskel")
    old = meeting(held_on="2019-06-01")
    old["recorded_at"] = "2021-04-12T11:00:00+08:00"
    [result] = sync(auth, old)
    assert result == {
        "uuid": old["uuid"],
        "status": "invalid",
        "errors": {"held_on": "Tanggal pertemuan sebelum masa program (01-01-2020)."},
    }
    [check] = sync(auth, health(checked_on="2019-06-01"))
    assert check["status"] == "invalid"
    assert check["errors"] == {"checked_on": "Tanggal pemeriksaan sebelum masa program (01-01-2020)."}
    assert sync(auth, meeting())[0]["status"] == "created"
