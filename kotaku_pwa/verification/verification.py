"""The one write path of a supervisor's decision on a KSM pay period: verified, or returned with a reason."""

from ..models import Verification
from ..payments.locks import remember_decision
from ..records.fields import New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from ..wages import pay_periods

DECISIONS = ("verified", "returned")


class VerificationKind(KsmRecordKind):
    name = "verification"
    model = Verification
    writers = writers_of("verification")
    fields = known_fields("ksm_id period_start period_end decision reason")
    # No domain key: every decision is kept, the latest one is the period's state (payments/locks.py).
    clash_reason = ""

    def build(self, r, ksm, batch, recorded_on):
        start, end = r.day("period_start"), r.day("period_end")
        decision = r.choice("decision", DECISIONS)
        reason = r.text("reason", max_len=300, required=False)
        if decision == "returned" and not reason:
            r.errors["reason"] = (
                "Tulis alasan pengembalian agar fasilitator dan bendahara dapat memperbaikinya."
            )
        if start and end and (start, end) not in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
            r.errors["period_start"] = "Bukan periode pembayaran KSM ini."
        elif start and start > batch.today:
            r.errors["period_start"] = "Periode ini belum dimulai."
        if r.errors:
            return None, None
        row = New(
            Verification,
            ksm_id=ksm.id,
            period_start=start,
            period_end=end,
            decision=decision,
            reason=reason,
        )
        return row, None

    def audit_detail(self, row) -> dict:
        """The decision, the period and the reason: each decision is a line of its own."""
        return {
            "decision": row.decision,
            "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(),
            "reason": row.reason,
        }

    def remember(self, row, batch):
        """Records later in the batch see this decision (a verified period locks them)."""
        remember_decision(batch, row)


VERIFICATION = VerificationKind()
