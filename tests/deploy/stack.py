"""The production stack on one machine, for tests/deploy/test_two_servers.py: two gunicorn servers started with
deploy/gunicorn.conf.py behind nginx run with deploy/nginx/quizapp.conf (ports and paths substituted), one
PostgreSQL database, one Redis database, and TCP forwarders that the test can cut to make PostgreSQL or Redis
unreachable for one server without touching the shared services."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(port: int, method: str, path: str, payload: Any = None, *, token: str | None = None,
            source: str = "127.0.0.1", headers: dict[str, str] | None = None, timeout: float = 15) -> Answer:
    """One HTTP request to 127.0.0.1:``port`` from the loopback address ``source`` (127.0.0.2... stand for other
    clients: nginx sees them as different addresses)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    sent = dict(headers or {})
    body = None
    if payload is not None:
        body = json.dumps(payload).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def free_ports(count: int) -> list[int]:
    """``count`` free loopback ports from QUIZAPP_DEPLOY_PORT_BASE (default 18000) upwards."""
    base, found = int(os.environ.get("QUIZAPP_DEPLOY_PORT_BASE", "18000")), []
    for port in range(base, base + 100):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError("no free ports")


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


class Forwarder:
    """A TCP forwarder on 127.0.0.1:``port`` to ``target``; ``cut()`` closes it and every connection through it
    (the service looks down: refused), ``restore()`` listens again."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self.lock:
                self.connections.discard(a)
                self.connections.discard(b)
            a.close()
            b.close()


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py wsgi:app`` in its own process group."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_dir: Path, workers: int = 2) -> None:
        self.name, self.port, self.log, self.count = name, port, log_dir / f"{name}.log", workers
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers), GUNICORN_PROC_NAME=name)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
                                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def signal_stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} stopped:\n{self.log.read_text()[-3000:]}")
        return len(self.workers()) == self.count and request(self.port, "GET", "/healthz", timeout=2).status == 200

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        """A quick shutdown (SIGINT: nothing is in flight when a test or benchmark ends), then a wait."""
        self.signal_stop()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def nginx_config(tmp: Path, port: int, upstreams: list[int]) -> Path:
    """deploy/nginx/quizapp.conf with this machine's ports and folders, inside a minimal main config that keeps
    every file nginx writes (pid, logs, temporary bodies) in ``tmp``; the answering server's address is added
    as ``X-Upstream`` so that the test knows which server answered."""
    site = (ROOT / "deploy" / "nginx" / "quizapp.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstreams)
    site, replaced = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, site)
    assert replaced == 1, "the upstream block of deploy/nginx/quizapp.conf changed shape"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/srv/quizapp/quizapp/static/", f"{ROOT / 'quizapp' / 'static'}/")
    site = site.replace("proxy_pass http://quizapp_app;",
                        "proxy_pass http://quizapp_app;\n        add_header X-Upstream $upstream_addr always;")
    os.chmod(tmp, 0o755)  # nginx's workers run as nobody when it is started by root
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / folder).mkdir(exist_ok=True)
        os.chmod(tmp / folder, 0o777)
    main = f"""
worker_processes 1;
worker_rlimit_nofile 8192;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
events {{ worker_connections 4096; }}  # two per request in flight (client, upstream): 500 people need 1,000+
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main)
    return path


class Nginx:
    def __init__(self, config: Path, port: int) -> None:
        self.port, self.log = port, config.parent / "nginx-error.log"
        self.process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(config.parent), "-e", str(self.log)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {self.process.stderr.read().decode() if self.process.stderr else ''}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast stop of the master we started, and its worker
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
