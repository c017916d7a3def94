"""The record kinds phones send, each with its one write path (a `records` module).

A records module has MODEL (its table), CLASH_REASON, and:
  locate(reader, batch) -> the Ksm or Kelurahan the record belongs to (for the scope check)
  build(reader, target, batch, recorded_on) -> (new row, domain key or None)
  existing_keys(batch) -> {domain key: (uuid, id)} of stored rows this batch could clash with
  remember(row, batch) -> make a row stored earlier in the batch visible to the records after it
"""

from ..attendance import records as attendance
from ..workers import records as worker

KINDS = {
    "worker": worker,
    "attendance": attendance,
}
