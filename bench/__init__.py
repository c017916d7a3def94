"""Benchmarks: `make bench` prints the figures QUALITY.md asks for (medians, same-run ratios)."""
