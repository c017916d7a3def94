"""Aggregate figures per kelurahan, computed by the database (built for national scale)."""

from sqlalchemy import case, func

from .. import db
from ..models import (
    Attendance,
    HealthCheck,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    Meeting,
    Payment,
    PaymentReversal,
    Worker,
)
from ..payments.queries import payments_flagged
from ..vocabulary import WAGE_CATEGORIES

COLUMNS = (
    "kelurahan",
    "ksm",
    "workers",
    "women_workers",
    "hok",
    "wages_due",
    "wages_paid",
    "meetings",
    "health_checks",
    "payments_flagged",
)


def _rate_in_force():
    """SQL for the daily rate of a worker's category: the KSM's override, else the kota's."""
    return case(
        *[
            (Worker.category == c, func.coalesce(getattr(Ksm, f"wage_{c}"), getattr(Kota, f"wage_{c}")))
            for c in WAGE_CATEGORIES
        ],
        else_=0,
    )


def _by_kelurahan(query, kelurahan_ids):
    return {
        row[0]: row[1:]
        for row in db.session.execute(
            query.where(Ksm.kelurahan_id.in_(kelurahan_ids)).group_by(Ksm.kelurahan_id)
        )
    }


def _count_by_kelurahan(model, kelurahan_ids):
    """Rows of a table that carries its own kelurahan_id (meetings, health checks), per kelurahan."""
    query = (
        db.select(model.kelurahan_id, func.count(model.id))
        .where(model.kelurahan_id.in_(kelurahan_ids))
        .group_by(model.kelurahan_id)
    )
    return dict(db.session.execute(query).all())


def kelurahan_rows(kelurahan_query):
    """One dict per kelurahan of the scoped query, with the COLUMNS figures."""
    kelurahan = db.session.execute(kelurahan_query.with_only_columns(Kelurahan.id, Kelurahan.name)).all()
    ids = [k.id for k in kelurahan]
    ksm = _by_kelurahan(db.select(Ksm.kelurahan_id, func.count(Ksm.id)), ids)
    workers = _by_kelurahan(
        db.select(
            Ksm.kelurahan_id,
            func.count(Worker.id),
            func.coalesce(func.sum(case((Worker.gender == "P", 1), else_=0)), 0),
        ).join(Ksm, Worker.ksm_id == Ksm.id),
        ids,
    )
    hok = _by_kelurahan(
        db.select(Ksm.kelurahan_id, func.count(Attendance.id), func.coalesce(func.sum(_rate_in_force()), 0))
        .select_from(Attendance)
        .join(Worker, Attendance.worker_id == Worker.id)
        .join(Ksm, Attendance.ksm_id == Ksm.id)
        .join(Kelurahan, Ksm.kelurahan_id == Kelurahan.id)
        .join(Kecamatan, Kelurahan.kecamatan_id == Kecamatan.id)
        .join(Kota, Kecamatan.kota_id == Kota.id)
        .where(Attendance.present.is_(True)),
        ids,
    )
    paid = _by_kelurahan(
        db.select(Ksm.kelurahan_id, func.coalesce(func.sum(Payment.amount), 0))
        .select_from(Payment)
        .join(Ksm, Payment.ksm_id == Ksm.id)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(PaymentReversal.id.is_(None)),
        ids,
    )
    meetings = _count_by_kelurahan(Meeting, ids)
    health_checks = _count_by_kelurahan(HealthCheck, ids)
    flagged = payments_flagged(ids)
    rows = []
    for k in kelurahan:
        n_workers, n_women = workers.get(k.id, (0, 0))
        n_hok, due = hok.get(k.id, (0, 0))
        rows.append(
            {
                "kelurahan": k.name,
                "ksm": ksm.get(k.id, (0,))[0],
                "workers": n_workers,
                "women_workers": int(n_women),
                "hok": n_hok,
                "wages_due": int(due),
                "wages_paid": int(paid.get(k.id, (0,))[0]),
                "meetings": meetings.get(k.id, 0),
                "health_checks": health_checks.get(k.id, 0),
                "payments_flagged": flagged.get(k.id, 0),
            }
        )
    return rows
