"""rediss:// end to end: a private redis-server that speaks TLS only, with a CA of the test's."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.clients import reset_clients
from tests.support.emulator import free_port
from tests.support.handlers import login, me, signup
from tests.support.servers import _port_open, _wait


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, issuer: str, key: Any, signer: Any, *, ca: bool, ip: str | None = None
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(signer, hashes.SHA256())


def _pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _authority(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) files."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(f"{name} CA", f"{name} CA", ca_key, ca_key, ca=True)
    server = _certificate("127.0.0.1", f"{name} CA", key, ca_key, ca=False, ip="127.0.0.1")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        _pem(folder / f"{name}-ca.pem", ca.public_bytes(serialization.Encoding.PEM)),
        _pem(folder / f"{name}-server.pem", server.public_bytes(serialization.Encoding.PEM)),
        _pem(folder / f"{name}-server.key", key_pem),
    )


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """(rediss:// URL, the server's CA, a CA that did not sign it)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    folder = tmp_path_factory.mktemp("tls")
    ca, cert, key = _authority(folder, "test")
    stranger, _, _ = _authority(folder, "stranger")
    port = free_port()
    log = folder / "redis.log"
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(ca), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(lambda: _port_open(port) or process.poll() is not None)
        if process.poll() is not None:
            output = log.read_text() if log.exists() else ""
            pytest.skip(f"redis-server without TLS support: {output[-300:]}")
        yield f"rediss://127.0.0.1:{port}/0", ca, stranger
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def use_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def _use(url: str, trusted_ca: Path) -> None:
        monkeypatch.setenv("REDIS_URL", url)
        # The process's trust store, as Lambda's is for ElastiCache's public-CA certificate.
        monkeypatch.setenv("SSL_CERT_FILE", str(trusted_ca))
        reset_clients()

    yield _use
    monkeypatch.undo()
    reset_clients()


def test_sessions_live_in_a_tls_only_redis(
    tls_redis: tuple[str, Path, Path], use_redis: Any, email: str, redis_prefix: str
) -> None:
    url, ca, _ = tls_redis
    use_redis(url, ca)
    assert signup(email).status == 201
    tokens = login(email).body
    assert me(tokens["access_token"]).status == 200
    from redis import Redis

    # The session is in the TLS server (its only port speaks TLS).
    with Redis.from_url(url, ssl_ca_certs=str(ca)) as direct:
        assert any(direct.scan_iter(f"{redis_prefix}*", count=1000))


def test_a_server_certificate_from_another_ca_is_refused(
    tls_redis: tuple[str, Path, Path], use_redis: Any, email: str
) -> None:
    url, _, stranger = tls_redis
    use_redis(url, stranger)
    # Fail closed: no answer rests on a server the client cannot authenticate.
    assert signup(email).status == 503
    assert login(email).status == 503
