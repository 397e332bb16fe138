"""The Dinsos intake server: HTTP API, its own database, batch verification and import, staff review."""
