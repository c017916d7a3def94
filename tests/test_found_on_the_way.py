"""Small things found while trying the app as a new user (issue 9 item 9), as the server renders them."""

import re
import uuid
from datetime import date, timedelta

from kotaku_pwa import db
from kotaku_pwa.models import Spending
from tests.test_payments import WEEK, ksm_named, treasurer  # noqa: F401
from tests.test_sync import ksm, sign_in, user


def test_the_day_buttons_stay_inside_the_ksm_period(demo, auth, client):
    sign_in(auth, "faskel")
    tk1 = ksm()
    last = client.get(f"/attendance/{tk1.id}/{tk1.end_date}").get_data(as_text=True)
    assert f"/attendance/{tk1.id}/{tk1.end_date + timedelta(days=1)}" not in last
    assert f"/attendance/{tk1.id}/{tk1.end_date - timedelta(days=1)}" in last
    first = client.get(f"/attendance/{tk1.id}/{tk1.start_date}").get_data(as_text=True)
    assert f"/attendance/{tk1.id}/{tk1.start_date - timedelta(days=1)}" not in first
    assert 'aria-disabled="true" data-day-step="-1"' in first


def test_the_pay_dialog_asks_the_pay_date_and_offers_no_proof(treasurer, client):  # noqa: F811
    ksm_, _ = treasurer
    page = client.get(f"/payments/{ksm_.id}/{WEEK[0]}").get_data(as_text=True)
    assert 'name="paid_on" type="date"' in page
    assert 'name="no_proof_reason"' in page
    assert "data-paid-total data-amount=" in page


def test_the_ledger_totals_can_be_read_again(treasurer, client):  # noqa: F811
    page = client.get(f"/payments/{ksm_named('KSM Tanjung Karang 1').id}/ledger").get_data(as_text=True)
    assert "data-ledger-totals" in page and "js/ledger.js" in page


def test_the_password_page_is_reached_from_the_account_page(demo, auth, client):
    sign_in(auth, "faskel")
    assert 'href="/account"' in client.get("/").get_data(as_text=True)
    assert 'href="/account/password"' in client.get("/account").get_data(as_text=True)


def tags(html) -> set[str]:
    return set(re.findall(r'<span class="tag">([^<]*)</span>', html))


def test_categories_read_as_words_on_the_day_the_wage_list_and_the_ledger(treasurer, client):  # noqa: F811
    """Walked on a phone: the day's list and the wage list tagged workers "mandor", the ledger "apd"."""
    tk1 = ksm()
    codes, words = {"mandor", "tukang", "pekerja"}, {"Mandor", "Tukang", "Pekerja"}
    day = client.get(f"/attendance/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert words <= tags(day) and not codes & tags(day)
    assert "&#34;mandor&#34;: &#34;Mandor&#34;" in day  # data-category-labels, for workers added offline
    wages = client.get(f"/payments/{tk1.id}/{WEEK[0]}").get_data(as_text=True)
    assert words <= tags(wages) and not codes & tags(wages)
    synced = {"uuid": str(uuid.uuid4()), "payload_hash": "0" * 64, "created_by_id": user("bendahara").id}
    masks = {"spent_on": date(2021, 4, 16), "category": "apd", "description": "Masker", "amount": 50_000}
    db.session.add(Spending(ksm_id=tk1.id, **masks, **synced))
    db.session.commit()
    assert "APD" in tags(client.get(f"/payments/{tk1.id}/ledger").get_data(as_text=True))
