"""Men in the middle of the bind: a proxy that lets an attacker rewrite what passes, and one that forges answers."""

from __future__ import annotations

from bench.fault_proxy import FaultProxy, _Reader


class RewritingProxy(FaultProxy):
    """Forwards every request, but lets ``attacker`` rewrite the body on the way in and the answer out."""

    def __init__(self, upstream_port: int, attacker):
        super().__init__(upstream_port)
        self.attacker = attacker

    def _one(self, client, head, body, plan) -> bool:
        import socket

        body = self.attacker.request(body)
        head = _with_length(head, len(body))
        upstream = socket.create_connection(self.upstream, timeout=30)
        try:
            upstream.sendall(head + body)
            answer = _Reader(upstream).response()
        finally:
            upstream.close()
        answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
        status, new_body = self.attacker.answer(int(answer_head.split(b" ", 2)[1]), answer_body)
        out_head = f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(new_body)}\r\n\r\n"
        client.sendall(out_head.encode() + new_body)
        return True


def _with_length(head: bytes, length: int) -> bytes:
    lines = [line for line in head.split(b"\r\n") if line and not line.lower().startswith(b"content-length:")]
    return b"\r\n".join(lines + [f"Content-Length: {length}".encode()]) + b"\r\n\r\n"


class AnswerForger:
    """Lets the request through untouched; alters the answer (a lost or mangled reply, or an attack)."""

    def __init__(self, mangle):
        self.mangle = mangle

    def request(self, body: bytes) -> bytes:
        return body

    def answer(self, status: int, body: bytes) -> tuple[int, bytes]:
        return status, self.mangle(body)
