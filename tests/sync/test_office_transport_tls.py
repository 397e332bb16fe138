"""HTTP transport over TLS: a CA bundle path or a pinned certificate, and a wrong pin is refused."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import ssl
import threading
import warnings
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.sync.transport_http import HttpTransport, ServerNotTrusted


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path, hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


@pytest.fixture
def tls_server(tmp_path):
    cert_path, key_path, pin = _self_signed(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            data = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert_path, pin
    httpd.shutdown()
    httpd.server_close()


def test_a_ca_bundle_path_is_trusted(tls_server):
    url, cert_path, _ = tls_server
    assert HttpTransport(url, verify=cert_path).post_batch(b"x") == {"ok": True}


def test_an_unknown_certificate_is_not_trusted(tls_server):
    url, _, _ = tls_server
    with pytest.raises(ServerNotTrusted):
        HttpTransport(url).post_batch(b"x")


def test_the_pinned_certificate_is_accepted_and_another_refused(tls_server):
    url, _, pin = tls_server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # verify=False warns; the pin is the check here
        assert HttpTransport(url, verify=False, pinned_sha256=pin).post_batch(b"x") == {"ok": True}
        with pytest.raises(ServerNotTrusted):
            HttpTransport(url, verify=False, pinned_sha256="00" * 32).post_batch(b"x")
