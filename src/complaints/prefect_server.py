"""Start, find and stop a standalone Prefect server for this project (serve, demo, ui)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from complaints import private

PR_SET_PDEATHSIG = 1
# Loaded here, not in the child: between fork and exec the child must take no lock (an import).
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child, before exec: be sent SIGTERM when our parent dies (Linux), so that a
    killed `serve` or `demo` leaves no Prefect server behind."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except OSError:
        return False


class PrefectServer:
    """`prefect server start` as a child process, stopped with us (unless one already runs).

    Without `env`, the server inherits our environment and becomes this process's
    PREFECT_API_URL. With it, the server gets exactly `env` and this process is left as it was:
    a server for others (the workers of a test or a benchmark)."""

    def __init__(self, var: Path, port: int = 4200, env: dict[str, str] | None = None) -> None:
        self.var, self.port, self.env = var, port, env
        self.api_url = f"http://127.0.0.1:{port}/api"
        self.ui_url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> PrefectServer:
        if not healthy(self.api_url):
            private.folder(self.var)
            log = (self.var / "prefect-server.log").open("ab")
            self._process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "prefect",
                    "server",
                    "start",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                # The UI calls the API where this server listens, not at the default port.
                env={
                    **(os.environ if self.env is None else self.env),
                    "PREFECT_UI_API_URL": self.api_url,
                },
                preexec_fn=_die_with_parent,
            )
            deadline = time.monotonic() + timeout
            while not healthy(self.api_url):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Prefect server did not start; see {self.var / 'prefect-server.log'}"
                    )
                time.sleep(0.3)
        if self.env is None:
            os.environ["PREFECT_API_URL"] = self.api_url
        return self

    @property
    def pid(self) -> int | None:
        """The server's process, if we started it."""
        return None if self._process is None else self._process.pid

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None


def use_local_server_if_running(port: int) -> None:
    """Point Prefect at the project's server on its configured port, if it runs, rather than a
    temporary one. Only that port: on a shared machine, 4200 may be somebody else's server."""
    api_url = f"http://127.0.0.1:{port}/api"
    if "PREFECT_API_URL" not in os.environ and healthy(api_url, timeout=0.3):
        os.environ["PREFECT_API_URL"] = api_url


def drain_client(timeout: float = 15.0) -> None:
    """Send Prefect's buffered logs and events now, while the server still listens."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)
