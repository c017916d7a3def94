"""Wages and the KSM's money: wage lists, payments with signature or thumbprint, reversals,
tranche receipts, non-wage spending, and the LPJ sheets."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")

from . import routes  # noqa: E402,F401
