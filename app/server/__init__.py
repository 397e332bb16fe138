"""The Dinsos intake server."""
