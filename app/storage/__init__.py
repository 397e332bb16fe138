"""Encrypted office storage: SQLCipher engine, key vault, models, migrations, audit log."""
