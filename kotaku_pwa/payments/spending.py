"""The one write path of non-wage spending: tools, materials, APD, with a photo of the receipt."""

from .. import images, storage
from ..models import SPENDING_CATEGORIES, Spending
from ..programme_period import ksm_window, outside
from ..records.fields import New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from ..wages import MAX_DAILY_RATE


class SpendingKind(KsmRecordKind):
    name = "spending"
    model = Spending
    writers = writers_of("spending")
    fields = known_fields("ksm_id spent_on category description amount receipt_photo")
    clash_reason = ""  # no domain key: two receipts of one day are two receipts

    def build(self, r, ksm, batch, recorded_on):
        spent_on = r.past_day("spent_on", batch.today)
        category = r.choice("category", SPENDING_CATEGORIES)
        description = r.text("description", max_len=200)
        amount = r.integer("amount", minimum=1, maximum=ksm.budget or MAX_DAILY_RATE * 1000)
        r.check("spent_on", spent_on, lambda day: outside(day, *ksm_window(ksm.start_date, ksm.end_date)))
        photo = images.read(r, "receipt_photo")
        if r.errors:
            return None, None
        row = New(
            Spending,
            ksm_id=ksm.id,
            spent_on=spent_on,
            category=category,
            description=description,
            amount=amount,
            **storage.stored("receipt_photo", photo),
        )
        return row, None


SPENDING = SpendingKind()
