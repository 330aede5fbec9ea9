"""Benchmarks: figures printed to stdout, never timed unit tests (see DESIGN.md)."""
