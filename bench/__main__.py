"""Run every benchmark: `python -m bench [name ...]` (names: sync, pages, weight)."""

import sys

from . import page_weight, sync_throughput

BENCHES = {"sync": sync_throughput.main, "weight": page_weight.main}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        BENCHES[name]()
