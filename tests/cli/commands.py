"""The `passage` command run as an operator runs it: a scratch directory and its database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.factories import PASSWORD
from tests.mailbox import free_port

_SCRIPT = Path(sys.executable).with_name("passage")

PASSAGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]

COMMAND_TIMEOUT = 120

START_TIMEOUT = 90


class Cli:
    """A scratch directory with its own database, and the command pointed at it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.database = directory / "x.sqlite3"
        self.agencies: dict[str, str] = {}
        # A bare environment: nothing of the developer's shell (or .env) leaks in.
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(directory),
            "LANG": "C.UTF-8",
            "DATABASE_URL": f"sqlite://{self.database}",
            "PASSAGE_VAR_DIR": str(directory),
            "EMAIL_URL": "console://",
            "LOG_LEVEL": "WARNING",
            # Tests only: production refuses anything below m=19 MiB, t=2.
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_TIME_COST": "1",
        }

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PASSAGE, *args],
            cwd=self.directory,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    def run_all(
        self, commands: list[list[str]], envs: list[dict[str, str]] | None = None
    ) -> list[subprocess.CompletedProcess[str]]:
        """Several commands at once: each is a process that spends most of its time starting."""
        envs = envs or [{} for _ in commands]
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(
                pool.map(lambda args, env: self.run(*args, **env), commands, envs, timeout=120)
            )

    def ok(self, *args: str, **env: str) -> str:
        """stdout of a command that must succeed."""
        result = self.run(*args, **env)
        assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout

    def create_agency(self, prefixes: str, name: str = "Agence Test") -> str:
        out = self.ok("create-agency", "--name", name, "--postal-prefixes", prefixes)
        return last_line(out)

    def create_user(self, agency: str, role: str, email: str, *extra: str) -> str:
        out = self.ok(
            "create-user",
            *("--agency", agency, "--role", role, "--email", email),
            *("--password", PASSWORD, "--first-name", "Claire", "--last-name", "Martin"),
            *extra,
        )
        return last_line(out)

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    @contextmanager
    def serving(self, *args: str, scheme: str = "http") -> Iterator[str]:
        """`passage serve` on a free port; yields its base URL, stops it with SIGTERM."""
        port = free_port()
        log = (self.directory / f"serve-{port}.log").open("w+")
        process = subprocess.Popen(
            [*PASSAGE, "serve", "--port", str(port), *args],
            cwd=self.directory,
            env={**self.env, "LOG_LEVEL": "INFO"},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"{scheme}://127.0.0.1:{port}"
        try:
            _wait_healthy(process, base, log)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=COMMAND_TIMEOUT)
                log.seek(0)
                output = log.read()
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
            finally:
                log.close()
        # uvicorn shuts down cleanly, then re-raises the signal it caught.
        assert code in (0, -signal.SIGTERM), f"serve exited with {code}:\n{output}"
        assert "Application shutdown complete" in output, output


def _wait_healthy(process: subprocess.Popen[str], base: str, log: IO[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read()}")
        try:
            if httpx.get(f"{base}/healthz", verify=False, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"serve did not answer /healthz within {START_TIMEOUT} s")


def last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1].strip() if lines else ""
