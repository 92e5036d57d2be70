"""Several ``moot serve`` processes on fixed ports, and Debian's nginx in front of them, for scale tests.

A :class:`Node` keeps its port across a SIGKILL and a restart, so the balancer's upstream list stays valid.
:func:`nginx` runs the nginx binary as a foreground child with a generated configuration whose pid file,
logs and temporary directories all live in the test's own directory; :func:`nginx_config` is the
configuration docs/deploy.md shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.live_server import MOOT, STARTUP_TIMEOUT, healthy, stop

NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


def nginx_binary() -> str | None:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports (held open together while chosen, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition`` until it is true; AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Node:
    """One ``moot serve`` on a fixed port; :meth:`kill` and :meth:`start` again keep the port."""

    workdir: Path
    port: int
    db_url: str
    env: dict[str, str]
    public_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        """Start the process without waiting for it (see :meth:`wait_healthy`)."""
        assert self.process is None or self.process.poll() is not None, "already running"
        command = [
            str(MOOT),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db-url",
            self.db_url,
            "--public-url",
            self.public_url or self.base_url,
        ]
        log_path = self.workdir / f"node-{self.port}-{self.starts}.log"
        self.starts += 1
        self.logs.append(log_path)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.workdir
            )

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(self.base_url):
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"moot on port {self.port} exited {self.process.returncode}:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"moot on port {self.port} not healthy in {timeout} s:\n{self.log()}")
            time.sleep(0.05)

    def start(self) -> None:
        self.launch()
        self.wait_healthy()

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing in flight finished."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs if path.exists())


@contextmanager
def cluster(nodes: Sequence[Node]) -> Iterator[Sequence[Node]]:
    """Start every node at once (as an orchestrator would), wait for all, stop them all at the end."""
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_healthy()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def nginx_config(listen_port: int, upstream_ports: Sequence[int], prefix: Path | None = None) -> str:
    """A balancer for moot processes on 127.0.0.1:``upstream_ports``.

    With ``prefix`` (the test's directory) every file nginx writes lives there, and nginx stays in the
    foreground; without it, the http-level part for a system nginx (docs/deploy.md).
    """
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in upstream_ports
    )
    site = f"""\
    upstream moot {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        client_max_body_size 1m;
        client_body_buffer_size 1m;  # whole bodies in memory: POST and PATCH bodies are small
        location = /metrics {{
            deny all;  # Prometheus scrapes each process directly, not through the public balancer
        }}
        location / {{
            proxy_pass http://moot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Only a failed connection or a timeout moves a request to the next process, and only for
            # idempotent methods (GET, PUT, DELETE, ...): nginx never sends a POST or PATCH twice
            # unless `non_idempotent` is added here, so a create is never duplicated by the balancer.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_buffers 16 64k;
            proxy_max_temp_file_size 0;
        }}
    }}
"""
    if prefix is None:
        return site
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""  # workers never run as root
    temp = "\n".join(
        f"    {name}_temp_path {prefix / ('temp-' + name)};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "nginx-error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {prefix / "nginx-access.log"};
{temp}
{site}}}
"""


@dataclass
class Balancer:
    url: str
    process: subprocess.Popen[bytes]
    prefix: Path

    def error_log(self) -> str:
        path = self.prefix / "nginx-error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def nginx(binary: str, prefix: Path, upstream_ports: Sequence[int]) -> Iterator[Balancer]:
    """nginx on a free port in front of ``upstream_ports``, a foreground child process."""
    prefix.mkdir(parents=True, exist_ok=True)
    [port] = free_ports(1)
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(port, upstream_ports, prefix))
    with (prefix / "nginx-stdout.log").open("wb") as out:
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "nginx-error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    balancer = Balancer(f"http://127.0.0.1:{port}", process, prefix)
    try:
        deadline = time.monotonic() + 10
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"nginx did not start (status {process.poll()}):\n{balancer.error_log()}"
                )
            time.sleep(0.05)
        yield balancer
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
