"""Benchmarks: `make bench` prints the figures docs/budgets.md asks for (medians, same-run ratios)."""
