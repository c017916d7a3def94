"""Record kinds: what a phone may send (worker, attendance, payment...) and how each is checked and built.

`fields` reads a record's JSON data; `kind` declares the contract every kind fulfils (`RecordKind`);
`registry` lists the kinds. Each kind lives in its area, in a module named after it
(`workers/worker.py`, `payments/payment.py`...). The sync engine (`kotaku_pwa/sync/`) stores them;
nothing here imports it.
"""
