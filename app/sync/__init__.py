"""Outbox, batch format, transports and the status feed."""
