"""A TLS-terminating proxy in front of gunicorn, as operators run one: Debian's nginx with a
self-signed certificate, on its own ports and folder, in the foreground, never as root."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.prerequisites import tool
from tests.production.processes import Process

CONFIG = """
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;  # the proxy in front of signers keeps no client address either
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 4m;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def self_signed_certificate(folder: Path) -> None:
    request = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    request += ["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
    request += ["-addext", "subjectAltName=IP:127.0.0.1"]
    request += ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    subprocess.run([tool("openssl"), *request], check=True, capture_output=True)  # noqa: S603


def _unprivileged(folder: Path) -> list[str]:
    """As root (CI is), hand the folder to `nobody` and run nginx as that user."""
    if os.geteuid() != 0:
        return []
    nobody = pwd.getpwnam("nobody")
    for path in (folder, *folder.rglob("*")):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]


@dataclass
class TlsProxy:
    process: Process
    folder: Path

    def stop(self) -> None:
        self.process.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_tls_proxy(port: int, upstream: int, log: Path) -> TlsProxy:
    """nginx on https://127.0.0.1:`port` in front of http://127.0.0.1:`upstream`."""
    nginx = tool("nginx")
    # Not under pytest's own temporary folder: that is private to the user running the tests.
    folder = Path(tempfile.mkdtemp(prefix="petition-tls-"))
    folder.chmod(0o755)
    self_signed_certificate(folder)
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(folder=folder, port=port, upstream=upstream))
    command = [*_unprivileged(folder), nginx, "-e", str(folder / "error.log"), "-p", str(folder)]
    command += ["-c", str(config)]
    return TlsProxy(Process("nginx", command, dict(os.environ), folder, log).start(), folder)
