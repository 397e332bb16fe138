"""Benchmarks: each prints a table and its ratio to a baseline measured in the same run."""
