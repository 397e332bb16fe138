"""Use cases shared by the UI, the CLI and the tests: one transaction each."""
