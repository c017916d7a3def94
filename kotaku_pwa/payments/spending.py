"""The one write path of non-wage spending: tools, materials, APD, with a photo of the receipt."""

from .. import images
from ..models import SPENDING_CATEGORIES, Spending
from ..records.fields import New
from ..wages import MAX_DAILY_RATE
from ..workers.worker import locate  # noqa: F401 (spending belongs to one KSM)

MODEL = Spending
CLASH_REASON = ""


def build(r, ksm, batch, recorded_on):
    spent_on = r.past_day("spent_on", batch.today)
    category = r.choice("category", SPENDING_CATEGORIES)
    description = r.text("description", max_len=200)
    amount = r.integer("amount", minimum=1, maximum=ksm.budget or MAX_DAILY_RATE * 1000)
    photo = None
    if r.data.get("receipt_photo"):
        photo, problem = images.decode(r.data["receipt_photo"], ("image/jpeg", "image/png"))
        if problem:
            r.errors["receipt_photo"] = problem
    if r.errors:
        return None, None
    row = New(
        Spending,
        ksm_id=ksm.id,
        spent_on=spent_on,
        category=category,
        description=description,
        amount=amount,
        receipt_photo=photo,
    )
    return row, None


def existing_keys(batch):
    return {}
