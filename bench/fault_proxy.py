"""A fault-injecting HTTP/1.1 proxy on loopback: what a bad kelurahan uplink does to a batch post.

Used by tests/services/test_sync_faults.py and bench/sync.py. It sits between HttpTransport
and a real server, reads each request (Content-Length framing; no chunked bodies) and, per
request, draws a fault from a seeded generator:

  pass          forward the request, relay the whole answer
  drop_reply    forward the whole request, read the server's whole answer (it committed), then
                close the client's connection without a word
  reset_body    forward the head and only part of the body, then abort both sides (TCP RST)
  reset_reply   forward the request, send part of the answer, then abort
  delay         sleep below the client's read timeout, then forward
  delay_over    sleep past the client's read timeout, then forward anyway (the server commits
                while the client has given up)
  answer_503    answer 503 itself, forward nothing
  answer_502    answer 502 itself, forward nothing

Every draw (the fault and its parameters) happens when the request has been read, under one
lock, so a client that sends one request at a time sees the same faults for the same seed.
``serve`` runs the real server (uvicorn, in a thread) on a free loopback port for the proxy to face.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

MODES = ("drop_reply", "reset_body", "reset_reply", "delay", "delay_over", "answer_503", "answer_502")
PASS = "pass"
_HEAD_LIMIT = 64 * 1024
_IO_TIMEOUT = 30.0


@dataclass(frozen=True)
class FaultRates:
    """The probability of each fault per request; what is left over passes untouched."""

    drop_reply: float = 0.0
    reset_body: float = 0.0
    reset_reply: float = 0.0
    delay: float = 0.0
    delay_over: float = 0.0
    answer_503: float = 0.0
    answer_502: float = 0.0

    def __post_init__(self) -> None:
        if any(getattr(self, f.name) < 0 for f in fields(self)) or self.total > 1:
            raise ValueError("fault rates must be >= 0 and add up to at most 1")

    @property
    def total(self) -> float:
        return sum(getattr(self, f.name) for f in fields(self))

    @classmethod
    def spread(cls, total: float, *, delay_over_share: float = 0.1) -> FaultRates:
        """``total`` split evenly over the modes, except delay_over, which costs a client timeout
        each time: it gets ``delay_over_share`` of one mode's share."""
        share = total / (len(MODES) - 1 + delay_over_share)
        rates = {mode: share for mode in MODES}
        rates["delay_over"] = share * delay_over_share
        return cls(**rates)


@dataclass(frozen=True)
class _Plan:
    mode: str
    cut: float = 0.0  # how much of the body (reset_body) or the answer (reset_reply) gets through
    seconds: float = 0.0  # the delay


class FaultProxy:
    """``with FaultProxy(upstream_port, rates, seed=1, client_timeout=1.0) as proxy: proxy.url``."""

    def __init__(self, upstream_port: int, rates: FaultRates = FaultRates(), *, seed: int = 0,
                 client_timeout: float = 1.0, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.rates = rates
        self.seed = seed
        self.client_timeout = client_timeout
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []  # the proxy's own failures (not injected ones): a test checks it is empty
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._acceptor.start()

    # --- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it; close() alone does not
                except OSError:
                    pass
        self._acceptor.join(timeout=5)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def summary(self) -> str:
        return f"seed={self.seed} rates={self.rates} counts={dict(sorted(self.counts.items()))}"

    # --- plumbing ---------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            with self._lock:
                self._open.add(client)
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _draw(self) -> _Plan:
        with self._lock:
            rng, rates = self._rng, self.rates
            roll, cut, jitter = rng.random(), rng.random(), rng.random()
            mode, edge = PASS, 0.0
            for name in MODES:
                edge += getattr(rates, name)
                if roll < edge:
                    mode = name
                    break
            self.counts[mode] += 1
        if mode == "delay":
            return _Plan(mode, seconds=self.client_timeout * (0.02 + 0.18 * jitter))
        if mode == "delay_over":
            return _Plan(mode, seconds=self.client_timeout * (1.2 + 0.3 * jitter))
        return _Plan(mode, cut=cut)

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(_IO_TIMEOUT)
        reader = _Reader(client)
        try:
            while not self._closed.is_set():
                head = reader.head()
                if head is None:
                    return  # the client closed its kept-alive connection
                body = reader.exact(_content_length(head))
                plan = self._draw()
                if not self._one(client, head, body, plan):
                    return
        except (OSError, ValueError) as err:
            if not self._closed.is_set() and not isinstance(err, (ConnectionError, TimeoutError)):
                self.errors.append(f"{type(err).__name__}: {err}")
        finally:
            with self._lock:
                self._open.discard(client)
            client.close()

    def _one(self, client: socket.socket, head: bytes, body: bytes, plan: _Plan) -> bool:
        """Carry out one request; False when the client connection is finished with."""
        mode = plan.mode
        if mode in ("answer_503", "answer_502"):
            status = "503 Service Unavailable" if mode == "answer_503" else "502 Bad Gateway"
            message = b'{"reason":"proxy","message":"injected"}'
            client.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {len(message)}\r\nConnection: close\r\n\r\n".encode() + message)
            return False
        if mode in ("delay", "delay_over"):
            time.sleep(plan.seconds)
        upstream = socket.create_connection(self.upstream, timeout=_IO_TIMEOUT)
        try:
            if mode == "reset_body":
                upstream.sendall(head + body[: int(len(body) * plan.cut)])
                time.sleep(0.005)  # let the server start reading what did arrive
                _abort(upstream)
                _abort(client)
                return False
            upstream.sendall(head + body)
            answer = _Reader(upstream).response()
        finally:
            upstream.close()
        if mode == "drop_reply":
            client.close()
            return False
        if mode == "reset_reply":
            client.sendall(answer[: max(1, int(len(answer) * plan.cut))])
            _abort(client)
            return False
        try:
            client.sendall(answer)
        except OSError:
            if mode == "delay_over":
                return False  # the client gave up long ago: that was the point
            raise
        return True


class _Reader:
    """Buffered reads of HTTP/1.1 messages framed by Content-Length."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def head(self) -> bytes | None:
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > _HEAD_LIMIT:
                raise ValueError("header too large")
            if not self._fill():
                if self.buffer:
                    raise ConnectionError("connection closed inside a header")
                return None
        end = self.buffer.index(b"\r\n\r\n") + 4
        head, self.buffer = self.buffer[:end], self.buffer[end:]
        return head

    def exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise ConnectionError("connection closed inside a body")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def response(self) -> bytes:
        head = self.head()
        if head is None:
            raise ConnectionError("upstream closed without answering")
        status = int(head.split(b" ", 2)[1])
        length = 0 if status in (204, 304) or status < 200 else _content_length(head, required=False)
        if length is None:  # no framing: the answer runs to the end of the connection
            while self._fill():
                pass
            body, self.buffer = self.buffer, b""
            return head + body
        return head + self.exact(length)


def _content_length(head: bytes, *, required: bool = True) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            raise ValueError("chunked bodies are not supported by the fault proxy")
        if name == b"content-length":
            return int(value.strip())
    return 0 if required else None


@contextmanager
def serve(ctx, *, port: int | None = None, log_level: str = "warning", log_config: dict | None | str = "uvicorn"
          ) -> Iterator[int]:
    """The Dinsos server app over ``ctx`` answering on loopback; yields its port.

    ``log_config=None`` leaves logging alone (uvicorn's loggers then reach whatever handler the
    caller attached); the default is uvicorn's own console configuration.
    """
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from app.server.app import create_app

    if port is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(context=ctx), host="127.0.0.1", port=port,
                                           log_level=log_level, lifespan="off",
                                           log_config=LOGGING_CONFIG if log_config == "uvicorn" else log_config))
    thread = threading.Thread(target=server.run, name="dinsos-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        if not thread.is_alive():
            break
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the server did not start")
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _abort(sock: socket.socket) -> None:
    """Close with a TCP reset rather than a polite FIN, like a dropped mobile link or a middlebox."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()
