"""The network transport the desktop reaches the Dinsos server through, built for one server address."""

from __future__ import annotations


def http_transport(server_url: str):
    """The network transport for ``server_url`` (imported late: requests is not needed to sign in)."""
    from app.sync.transport_http import HttpTransport

    return HttpTransport(server_url, timeout=(5, 30))
