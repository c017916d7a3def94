"""The one write path of a tranche receipt: tahap I, II... of the programme year's plan."""

from .. import db
from ..models import TrancheReceipt
from ..programme_period import ksm_window, outside, tranche_problem
from ..records.fields import New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from .queries import tranche_plan


class TrancheKind(KsmRecordKind):
    # The KSM ledger (issue 4): tranche receipts and non-wage spending, kept by the treasurer.
    name = "tranche"
    model = TrancheReceipt
    writers = writers_of("tranche")
    fields = known_fields("ksm_id tranche amount received_on bank_reference")
    clash_reason = "Tahap pencairan ini sudah tercatat untuk KSM tersebut."

    def build(self, r, ksm, batch, recorded_on):
        number = r.integer("tranche", minimum=1, maximum=10)
        amount = r.integer("amount", minimum=1, maximum=2_000_000_000)
        received_on = r.past_day("received_on", batch.today)
        reference = r.text("bank_reference", max_len=60, required=False)
        if received_on and "received_on" not in r.errors:
            problem = outside(received_on, *ksm_window(ksm.start_date, ksm.end_date), "Tanggal diterima")
            r.errors.update({"received_on": problem} if problem else {})
        if number and "tranche" not in r.errors:
            problem = tranche_problem(number, len(tranche_plan(ksm)))
            r.errors.update({"tranche": problem} if problem else {})
        if r.errors:
            return None, None
        row = New(
            TrancheReceipt,
            ksm_id=ksm.id,
            tranche=number,
            amount=amount,
            received_on=received_on,
            bank_reference=reference,
        )
        return row, (ksm.id, number)

    def existing_keys(self, batch):
        ids = [i for i in batch.values("ksm_id") if isinstance(i, int)]
        rows = db.session.execute(
            db.select(
                TrancheReceipt.ksm_id, TrancheReceipt.tranche, TrancheReceipt.uuid, TrancheReceipt.id
            ).where(TrancheReceipt.ksm_id.in_(ids))
        )
        return {(t.ksm_id, t.tranche): (t.uuid, t.id) for t in rows}


TRANCHE = TrancheKind()
