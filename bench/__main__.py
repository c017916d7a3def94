"""Run every benchmark: `python -m bench [name ...]` (names: sync, weight, chaos, dashboard).

`python -m bench chaos [options]` passes its options to the chaos run (`--help` lists them).
"""

import sys

from . import chaos, dashboard, page_weight, sync_throughput

BENCHES = {
    "sync": sync_throughput.main,
    "weight": page_weight.main,
    "chaos": chaos.main,
    "dashboard": dashboard.main,
}

if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["chaos"]:
        sys.exit(chaos.main(args[1:]))
    sys.exit(max([BENCHES[name]() or 0 for name in args or list(BENCHES)]))
