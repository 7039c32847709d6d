"""Benchmarks: printed figures, never assertions. See README "Benchmarks"."""
