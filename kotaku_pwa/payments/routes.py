from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, db, storage
from ..access import get_ksm, get_ksm_and_state, ksm_query, may, place_of, user_scope
from ..models import Payment, PaymentReversal
from ..remembered_pages import remembered
from ..roles import allows
from ..scope import can_read, can_write
from ..terbilang import rupiah_words
from ..vocabulary import PERIOD_LABELS
from ..wages import pay_periods, period_of
from ..workdays import today
from . import bp, locks, sheets
from .payment import PAYMENT
from .queries import ledger, wage_list
from .spending import SPENDING


@bp.get("/")
@login_required
def index():
    """Choose a KSM; a treasurer sees the wage list of theirs straight away."""
    ksms = db.session.scalars(ksm_query()).all()
    if len(ksms) == 1:
        return _wage_list(ksms[0], _period_to_show(ksms[0]))
    return render_template("payments/index.html", ksms=ksms)


@bp.get("/<int:ksm_id>/")
@login_required
def current(ksm_id):
    """The oldest wage list with wages still to pay, else the period holding today."""
    ksm = get_ksm(ksm_id)
    period = _period_to_show(ksm)
    return _wage_list(ksm, period, locks.state_on(ksm.id, period[0]))


@bp.get("/<int:ksm_id>/<start>")
@login_required
@remembered
def period(ksm_id, start):
    """The wage list of one period: HOK × rate per worker, paid or not, with totals."""
    ksm, start, end, state = _period(ksm_id, start)
    return _wage_list(ksm, (start, end), state)


def _wage_list(ksm, period, state=None):
    # Rendered (not redirected to) from every URL, so the service worker can keep each for offline use.
    start, end = period
    rows, total = wage_list(ksm, start, end)
    return render_template(
        "payments/period.html",
        ksm=ksm,
        start=start,
        end=end,
        rows=rows,
        total=total,
        periods=pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period),
        future=start > _today(),
        may_pay=can_write(user_scope(), PAYMENT.writers, place_of(ksm)),
        period_label=PERIOD_LABELS[ksm.pay_period],
        state=state,
        # The "verify" capability is held by the writers of verifications (tests/test_roles.py).
        may_verify=allows(current_user.role, "verify") and can_read(user_scope(), place_of(ksm)),
    )


def _period_to_show(ksm):
    """The oldest period up to today with wages still to pay, else the period holding today."""
    for first, last in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
        if first <= _today() and wage_list(ksm, first, last)[1]["outstanding"]:
            return first, last
    return period_of(_today(), ksm.start_date, ksm.end_date, ksm.pay_period)


@bp.get("/<int:ksm_id>/ledger")
@login_required
def ledger_page(ksm_id):
    """The KSM's money: tranche receipts, wages paid, other spending, balance and alerts."""
    ksm = get_ksm(ksm_id)
    return render_template(
        "payments/ledger.html",
        ksm=ksm,
        book=ledger(ksm, _today()),
        today=_today(),
        may_write=can_write(user_scope(), SPENDING.writers, place_of(ksm)),
    )


@bp.get("/<int:ksm_id>/<start>/<sheet>")
@login_required
def sheet(ksm_id, start, sheet):
    """LPJ sheets: daftar-hadir / daftar-upah as printable A4 pages, or .xlsx downloads."""
    name, _, extension = sheet.partition(".")
    if name not in sheets.SHEETS or extension not in ("", "xlsx"):
        abort(404)
    ksm, start, end, _state = _period(ksm_id, start)
    data = sheets.SHEETS[name](ksm, start, end)
    if extension == "xlsx":
        return Response(
            sheets.workbook(name, data),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename={name}-{ksm.id}-{start}.xlsx"},
        )
    return render_template(f"payments/{name}.html", **data, words=rupiah_words)


@bp.get("/payment/<int:payment_id>/signature.png")
@login_required
def signature(payment_id):
    """The worker's signature drawn on the treasurer's phone."""
    payment = _payment(payment_id)
    return storage.answer(payment.signature_key or abort(404))


@bp.route("/payment/<int:payment_id>/reverse", methods=["GET", "POST"])
@may("pay")
def reverse(payment_id):
    """Cancel a payment by a reversal entry with a reason (the payment itself is never changed)."""
    payment = _payment(payment_id, write=True)
    reason = (request.form.get("reason") or "").strip()
    error = None
    if request.method == "POST":
        if payment.reversal:
            error = "Pembayaran ini sudah dibatalkan."
        elif not 5 <= len(reason) <= 300:
            error = "Tulis alasan pembatalan (5–300 karakter)."
        else:
            db.session.add(
                PaymentReversal(payment_id=payment.id, reason=reason, created_by_id=current_user.id)
            )
            audit.log(
                "payment_reversed",
                "payment",
                payment.id,
                payment.worker.ksm.kelurahan_id,
                ksm_id=payment.ksm_id,
                period_start=payment.period_start.isoformat(),
                amount=payment.amount,
                reason=reason,
            )
            db.session.commit()
            flash("Pembayaran dibatalkan. Catat pembayaran yang benar sebagai pembayaran baru.", "success")
            return redirect(
                url_for("payments.period", ksm_id=payment.ksm_id, start=payment.period_start.isoformat())
            )
    return render_template(
        "payments/reverse.html", payment=payment, error=error, reason=reason
    ), 400 if error else 200


def _payment(payment_id, write=False):
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    get_ksm(payment.ksm_id, "payment" if write else None)
    return payment


def _period(ksm_id, start):
    """The KSM, the pay period starting on `start` (404 when none does) and its verification state."""
    try:
        first = date.fromisoformat(start)
    except ValueError:
        abort(404)
    ksm, state = get_ksm_and_state(ksm_id, first)
    for period_start, period_end in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
        if period_start == first:
            return ksm, period_start, period_end, state
    abort(404)


def _today():
    return today(current_app.config["TIMEZONE"])
