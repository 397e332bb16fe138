"""HTTP transport to the Dinsos server (requests): post sealed batches, bind, read the status feed."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from app.errors import UsulkanError
from app.i18n import N_
from app.sync.bind import ServerUrlInvalid, check_server_url

BATCH_TYPE = "application/octet-stream"
# Connection errors and 5xx are retried with exponential backoff plus jitter. POST is retried too:
# a batch post is idempotent (same bytes, same stored receipt), and so is reading the feed.
# TLS failures (unknown CA, wrong pin) are "other" errors and fail at once: retrying will not heal them.
# Short tries that ride over a dropped packet or a proxy's 502; the long wait between rounds is the
# office's own backoff (sync._defer: minutes, with jitter). Waiting longer here only kept the
# worker busy: at 0.5 s the sleeps were 44 % of a 10,000-proposal delivery through 30 % faults.
RETRY = Retry(
    total=4, connect=4, read=2, status=3, other=0, backoff_factor=0.2, backoff_max=5, backoff_jitter=0.2,
    status_forcelist=(500, 502, 503, 504), allowed_methods=frozenset({"GET", "POST"}),
    raise_on_status=False, respect_retry_after_header=True,
)


class TransportError(UsulkanError):
    """Base of the errors of talking to the Dinsos server."""


class ServerUnreachable(TransportError):
    template = N_("The Dinsos server cannot be reached.")
    hint = N_("Nothing is lost: the batch stays in the outbox and is sent again later.")


class ServerNotTrusted(TransportError):
    template = N_("The Dinsos server's certificate is not the expected one.")
    hint = N_("Do not send anything now. Check the network, then contact Dinsos.")


class ServerError(TransportError):
    template = N_("The Dinsos server answered with an error ({status}).")
    hint = N_("Nothing is lost: the batch stays in the outbox and is sent again later.")

    def __init__(self, status: int):
        super().__init__(status=status)
        self.status = status

    @property
    def code(self) -> str:
        """The reason kept with a deferred batch (app/services/sync.py) and put in words by the UI."""
        return f"http_{self.status}"


class ReplyCutOff(ServerError):
    """The server's answer stopped before its end (a dropped line, a proxy timing out): not an error page."""

    template = N_("The Dinsos server's answer was cut off on the way; try sending again.")
    code = "cut_off"  # type: ignore[assignment]


class BatchRefused(TransportError):
    """The server looked at the request and said no, with a stable reason code."""

    template = N_("Dinsos refused this ({reason}): {server_message}")
    hint = N_("Contact Dinsos if you do not know what to do next.")

    def __init__(self, reason: str, message: str, status: int = 422):
        super().__init__(reason=reason, server_message=message)
        self.reason = reason
        self.status = status


class _PinnedAdapter(HTTPAdapter):
    """An adapter whose TLS connections must present the certificate with this SHA-256."""

    def __init__(self, fingerprint: str | None, **kwargs):
        self._fingerprint = fingerprint
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        if self._fingerprint:
            kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


class HttpTransport:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        verify: bool | str | Path = True,
        pinned_sha256: str | None = None,
        session: requests.Session | None = None,
        retry: Retry = RETRY,
    ):
        # https://, or http:// to this computer only: never an address where a feed token or a
        # staff password would cross a network in clear.
        self.base_url = check_server_url(base_url)
        if self.base_url is None:
            raise ServerUrlInvalid()
        self.timeout = timeout
        self.verify = str(verify) if isinstance(verify, Path) else verify
        if session is None:
            session = requests.Session()
            adapter = _PinnedAdapter(pinned_sha256.replace(":", "").lower() if pinned_sha256 else None,
                                     max_retries=retry)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=self.timeout, verify=self.verify, **kwargs
            )
        except requests.exceptions.SSLError as err:
            # A wrong certificate or pin is not bad weather: someone may be in the middle.
            raise ServerNotTrusted() from err
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as err:
            # Fewer bytes than Content-Length, or a chunked body that stops: the reply was cut.
            raise ReplyCutOff(0) from err
        except (requests.ConnectionError, requests.Timeout) as err:
            raise ServerUnreachable() from err
        except requests.RequestException as err:  # retries used up, TLS pin mismatch, ...
            raise ServerUnreachable() from err
        if response.status_code >= 500:
            raise ServerError(response.status_code)
        if response.status_code >= 300:
            raise _refusal(response)
        return response

    def post_batch(self, sealed: bytes) -> dict:
        """The server's receipt for ``sealed`` (a dict; verify it before trusting it)."""
        response = self._request("POST", "/v1/batches", data=sealed, headers={"Content-Type": BATCH_TYPE})
        if response.status_code == 202:
            # Held at the server until an earlier batch arrives: not a receipt.
            raise _refusal(response)
        return _json(response)

    def bind(self, office_id: str, request: bytes) -> bytes:
        """The server's answer to the sealed bind request: raw bytes, checked by the caller."""
        response = self._request("POST", f"/v1/offices/{office_id}/bind", data=request,
                                 headers={"Content-Type": "application/json"})
        return response.content

    def rebind(self, office_id: str, request: bytes) -> bytes:
        """The server's answer to a sealed re-bind request (a new Lurah): raw bytes, checked by the caller."""
        response = self._request("POST", f"/v1/offices/{office_id}/rebind", data=request,
                                 headers={"Content-Type": "application/json"})
        return response.content

    def get_audit_heads(self, office_id: str, token: str) -> bytes:
        """Dinsos's signed list of this office's audit heads (bytes; verify before use)."""
        return self._request("GET", f"/v1/offices/{office_id}/audit-heads",
                             headers={"Authorization": f"Bearer {token}"}).content

    def document_state(self, office_id: str, sha256: str, token: str) -> dict:
        """How much of one sealed document Dinsos holds: ``{"offset": n, "stored": bool}``."""
        return _json(self._request("GET", f"/v1/offices/{office_id}/documents/{sha256}",
                                   headers={"Authorization": f"Bearer {token}"}))

    def put_document(self, office_id: str, sha256: str, token: str, chunk: bytes, start: int, total: int) -> dict:
        """Send ``chunk`` (bytes ``start``.. of ``total``) of a sealed document; Dinsos answers its new offset."""
        return _json(self._request(
            "PUT", f"/v1/offices/{office_id}/documents/{sha256}", data=chunk,
            headers={"Authorization": f"Bearer {token}", "Content-Type": BATCH_TYPE,
                     "Content-Range": f"bytes {start}-{start + len(chunk) - 1}/{total}"},
        ))

    def get_sync_state(self, office_id: str, after: int, token: str) -> dict:
        """What Dinsos holds of this office's chain (last sequence, hash, signed receipts after ``after``)."""
        return _json(self._request("GET", f"/v1/offices/{office_id}/sync-state", params={"after": after},
                                   headers={"Authorization": f"Bearer {token}"}))

    def get_dtsen(self, office_id: str, after: int, token: str) -> dict:
        """The sealed DTSEN packages after version ``after`` (docs/server.md, DTSEN reference)."""
        return _json(self._request("GET", f"/v1/offices/{office_id}/dtsen", params={"after": after},
                                   headers={"Authorization": f"Bearer {token}"}))

    def get_statuses(self, office_id: str, after: int, token: str) -> dict:
        return _json(self._request(
            "GET", f"/v1/offices/{office_id}/statuses", params={"after": after},
            headers={"Authorization": f"Bearer {token}"},
        ))


def _json(response: requests.Response) -> dict:
    try:
        value = json.loads(response.content)
    except json.JSONDecodeError as err:
        # With no Content-Length a cut reply is just shorter: JSON that ends before it is complete.
        if _cut_json(err):
            raise ReplyCutOff(response.status_code) from err
        raise ServerError(response.status_code) from err
    except ValueError as err:
        raise ServerError(response.status_code) from err
    if not isinstance(value, dict):
        raise ServerError(response.status_code)
    return value


def _cut_json(err: json.JSONDecodeError) -> bool:
    """JSON that began well and stopped before its end (not an HTML error page from a proxy)."""
    doc = err.doc.strip() if isinstance(err.doc, str) else ""
    return doc.startswith(("{", "[")) and (err.pos >= len(doc) or err.msg.startswith("Unterminated string"))


def _refusal(response: requests.Response) -> BatchRefused:
    try:
        body = json.loads(response.content)
        reason, message = str(body["reason"])[:64], str(body.get("message", ""))[:500]
    except (ValueError, KeyError, TypeError):
        reason, message = f"http_{response.status_code}", ""
    return BatchRefused(reason, message, response.status_code)
