"""The one write path of non-wage spending: tools, materials, APD, with a photo of the receipt."""

from .. import images
from ..models import SPENDING_CATEGORIES, Spending
from ..programme_period import ksm_window, outside
from ..sync.fields import New
from ..wages import MAX_DAILY_RATE
from ..workers.records import locate  # noqa: F401 (spending belongs to one KSM)

MODEL = Spending
CLASH_REASON = ""


def build(r, ksm, batch, recorded_on):
    spent_on = r.past_day("spent_on", batch.today)
    category = r.choice("category", SPENDING_CATEGORIES)
    description = r.text("description", max_len=200)
    amount = r.integer("amount", minimum=1, maximum=ksm.budget or MAX_DAILY_RATE * 1000)
    if spent_on and "spent_on" not in r.errors:
        problem = outside(spent_on, *ksm_window(ksm.start_date, ksm.end_date))
        r.errors.update({"spent_on": problem} if problem else {})
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
