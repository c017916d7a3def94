"""The record kinds phones send, each with its one write path (a `records` module).

A records module has MODEL (its table), CLASH_REASON, and:
  locate(reader, batch) -> the Ksm or Kelurahan the record belongs to (for the scope check)
  build(reader, target, batch, recorded_on) -> (new row, domain key or None); the row is a
      fields.New, and may carry `children`: New rows that belong to it (a meeting's attendees)
  existing_keys(batch) -> {domain key: (uuid, id)} of stored rows this batch could clash with
                         (only for kinds whose build returns a domain key)
  remember(row, batch) -> (optional) make a row stored earlier in the batch visible to the records after it
  keep_incoming(conflict, existing) -> (optional) let a supervisor keep the incoming record of a conflict
"""

from ..attendance import attendance
from ..meetings import health_check, meeting
from ..payments import payment, spending, tranche
from ..workers import worker

KINDS = {
    "worker": worker,
    "attendance": attendance,
    "payment": payment,
    "tranche": tranche,
    "spending": spending,
    "meeting": meeting,
    "health_check": health_check,
}
