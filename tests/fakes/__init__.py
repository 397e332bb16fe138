"""Shared fakes, builders and helpers of the tests: test modules import from here, never from each other."""
