"""Create the local development CA and the server certificate under TLS_DIR (var/tls/).

Run by ``make run`` before the HTTPS server starts; idempotent: an existing CA is
kept (clients already trust it) and the server certificate is made only once.
The CA's key stays in the folder, readable only by its owner.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

HOSTS = ("127.0.0.1", "localhost", "::1")


def tls_files(directory: Path) -> dict[str, Path]:
    return {
        "ca": directory / "ca.pem",
        "ca_key": directory / "ca-key.pem",
        "cert": directory / "server.pem",
        "key": directory / "server-key.pem",
    }


def tls_ensure(directory: Path) -> dict[str, Path]:
    """The CA and server files in ``directory``, made if missing (trustme, on cryptography)."""
    import trustme

    files = tls_files(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if files["ca"].exists() and files["ca_key"].exists():
        ca = trustme.CA.from_pem(files["ca"].read_bytes(), files["ca_key"].read_bytes())
    else:
        ca = trustme.CA(organization_name="Chatter Org development CA")
        files["ca"].write_bytes(ca.cert_pem.bytes())
        _private_write(files["ca_key"], ca.private_key_pem.bytes())
        files["cert"].unlink(missing_ok=True)
    if not (files["cert"].exists() and files["key"].exists()):
        cert = ca.issue_cert(*HOSTS)
        files["cert"].write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        _private_write(files["key"], cert.private_key_pem.bytes())
    return files


def _private_write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


class Command(BaseCommand):
    help = "Create var/tls/ca.pem and a certificate for 127.0.0.1 and localhost."

    def handle(self, *args: object, **options: object) -> None:
        files = tls_ensure(Path(settings.TLS_DIR))
        self.stdout.write(f"TLS: CA {files['ca']}, certificate {files['cert']}")
