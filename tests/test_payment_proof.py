"""Proof of a cash payment checked on the server: signature, photo, or a stored reason (issue 9 item 4)."""

import csv
import io

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Payment
from kotaku_pwa.wages import proof_problems

from .test_payments import JPEG, WEEK, ksm_named, payment, treasurer, worker_of  # noqa: F401

REASON = "HP mati, pekerja sudah menerima tunai di depan saksi."


def test_the_proof_rule():
    assert proof_problems(b"png", None, None) == {}
    assert proof_problems(None, b"jpeg", "") == {}
    assert proof_problems(None, None, "0123456789") == {}
    assert set(proof_problems(None, None, None)) == {"signature"}
    assert set(proof_problems(None, None, "  ")) == {"signature"}
    assert set(proof_problems(None, None, "pendek")) == {"signature", "no_proof_reason"}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"signature": None}, {"signature"}),
        ({"signature": ""}, {"signature"}),
        ({"signature": None, "no_proof_reason": "HP mati"}, {"signature", "no_proof_reason"}),
        ({"signature": None, "no_proof_reason": 12345678901}, {"no_proof_reason"}),
    ],
)
def test_a_cash_payment_without_any_proof_is_invalid(treasurer, auth, change, fields):  # noqa: F811
    ksm, worker = treasurer
    [result] = auth.sync([payment(ksm, worker, **change)]).get_json()["results"]
    assert result["status"] == "invalid"
    assert fields <= set(result["errors"])
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0


def test_a_cash_payment_with_a_reason_is_stored_and_flagged(treasurer, auth, client):  # noqa: F811
    ksm, worker = treasurer
    [result] = auth.sync([payment(ksm, worker, signature=None, no_proof_reason=REASON)]).get_json()["results"]
    assert result["status"] == "created"
    stored = db.session.get(Payment, result["id"])
    assert (stored.no_proof_reason, stored.without_proof) == (REASON, True)
    wage_list = client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Tanpa bukti" in wage_list
    ledger = client.get(f"/payments/{ksm.id}/ledger").get_data(as_text=True)
    assert "Pembayaran tanpa bukti" in ledger and REASON in ledger


def test_a_photo_alone_is_proof_and_a_transfer_needs_only_its_reference(treasurer, auth, client):  # noqa: F811
    ksm, worker = treasurer
    other = worker_of(ksm, "Inaq Sumiati")
    records = [
        payment(ksm, worker, signature=None, photo=JPEG),
        payment(ksm, other, signature=None, method="transfer", reference="TRX-1"),
    ]
    results = auth.sync(records).get_json()["results"]
    assert [r["status"] for r in results] == ["created"] * len(records)
    assert not any(db.session.get(Payment, r["id"]).without_proof for r in results)
    assert "Tanpa bukti" not in client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)


def test_the_supervisor_sees_flagged_payments_and_the_csv_counts_them(treasurer, auth, client):  # noqa: F811
    ksm, worker = treasurer
    signed = worker_of(ksm, "Inaq Sumiati")
    results = auth.sync(
        [payment(ksm, worker, signature=None, no_proof_reason=REASON), payment(ksm, signed)]
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "created"]
    auth.logout()
    auth.login("askot")
    home = client.get("/").get_data(as_text=True)
    assert "Pembayaran tanpa bukti" in home and REASON in home and worker.name in home
    assert signed.name not in home.split("Pembayaran tanpa bukti")[1].split("<h2>")[0]
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True))))
    flagged = {row["kelurahan"]: int(row["payments_flagged"]) for row in rows}
    assert flagged[ksm.kelurahan.name] == 1
    assert sum(flagged.values()) == 1
