"""Run the benchmarks: `python -m bench [--quick] [name ...]` (names: pages, instructions, sync,
sync_latency, weight, paint, compression, dashboard, chaos). Without names: every figure of
docs/budgets.md in one run (chaos only without --quick).

`--against DIR`: the pages of another checkout (e.g. `git archive main`) measured in the same run, as
"<page>@before". The figures go to bench/results/latest.json (the run before it is kept as
previous.json) and the change against the previous run is printed. `python -m bench chaos [options]`
passes its options to the chaos run (`--help` lists them).
"""

import json
import sys
import time
from pathlib import Path

from . import chaos, compression, instructions, page_weight, pages, paint, sync_latency, sync_throughput

RESULTS = Path(__file__).resolve().parent / "results"


def _dashboard(quick):
    """The dashboard at a national season (bench/dashboard.py, issue 10); --quick: a small one."""
    from . import dashboard

    return dashboard.main((10,) if quick else dashboard.SIZES)


BENCHES = {
    "pages": pages.main,
    "instructions": instructions.main,
    "sync": sync_throughput.main,
    "sync_latency": sync_latency.main,
    "weight": page_weight.main,
    "paint": paint.main,
    "compression": compression.main,
    "dashboard": _dashboard,
}


def flatten(figures, prefix=""):
    """{"pages": {"home": {"rps": 1}}} → {"pages.home.rps": 1}: the numbers to compare."""
    flat = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = value
    return flat


def changes(previous, current):
    """Lines "name: before → now (+x %)" for every figure both runs have."""
    before, now = flatten(previous), flatten(current)
    lines = []
    for name in now:
        if name in before and before[name]:
            delta = (now[name] - before[name]) / abs(before[name]) * 100
            lines.append(f"  {name:42s} {before[name]:12.2f} → {now[name]:12.2f}  ({delta:+.0f} %)")
    return lines


def save(figures, quick):
    """Write latest.json (keeping the run before as previous.json); print the change against it."""
    RESULTS.mkdir(exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else None
    record = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quick": quick, "figures": figures}
    if previous:
        (RESULTS / "previous.json").write_text(latest.read_text())
        kind = ", quick" if previous.get("quick") else ""
        print(f"\nchange against the previous run ({previous['when']}{kind}):")
        print("\n".join(changes(previous["figures"], figures)) or "  no figure in common")
    latest.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nfigures written to {latest}")


def main(argv):
    if argv[:1] == ["chaos"]:
        return chaos.main(argv[1:])
    quick = "--quick" in argv
    against = argv[argv.index("--against") + 1] if "--against" in argv else None
    names = [a for a in argv if not a.startswith("--") and a != against]
    names = names or list(BENCHES) + ([] if quick else ["chaos"])
    figures = {}
    for name in names:
        print()
        if name == "chaos":
            status = chaos.main([])
            figures["chaos"] = {"failed": int(bool(status))}
            continue
        options = {"against": against} if name == "pages" and against else {}
        result = BENCHES[name](quick=quick, **options)
        if result is not None:
            figures[name] = result
    save(figures, quick)
    return figures.get("chaos", {}).get("failed", 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
