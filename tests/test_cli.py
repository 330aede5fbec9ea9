"""The `passage` command, run as an operator runs it: a process with its environment.

Each test gets its own SQLite file, whatever database the rest of the suite uses.
"""

from __future__ import annotations

import os
import shutil
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

from schema.core.ids import from_global_id, to_global_id
from tests.conftest import PASSWORD
from tests.factories import LOG_IN
from tests.mailbox import free_port

_SCRIPT = Path(sys.executable).with_name("passage")
PASSAGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]
COMMAND_TIMEOUT = 60
START_TIMEOUT = 30
GOOD_SECRET = "a-production-secret-that-is-long-enough-0123456789"

ME = "query { me { id email role worker { id } agency { id name } } }"


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


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One migrated database shared by the set-up tests (each uses its own prefixes)."""
    shared = Cli(tmp_path_factory.mktemp("cli"))
    shared.ok("migrate")
    shared.agencies = {"13": shared.create_agency("13", "Agence Marseille")}
    return shared


def test_migrate_is_idempotent(cli):
    assert "migrations applied" in cli.ok("migrate")
    shared = cli.count("help_article")
    assert shared > 0  # the help articles every agency shares, which tips link to
    assert "migrations applied" in cli.ok("migrate")
    assert cli.count("account") == 0
    assert cli.count("help_article") == shared


def test_set_up_on_an_unmigrated_database_says_to_migrate(cli):
    result = cli.run("create-agency", "--name", "Agence X", "--postal-prefixes", "75")
    assert result.returncode == 1
    assert "run `passage migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_agency_prints_its_global_id_last(migrated):
    out = migrated.ok(
        "create-agency",
        *("--name", "Agence Lyon", "--postal-prefixes", "69, 01"),
        *("--sap-number", "SAP987654321"),
    )
    type_name, pk = from_global_id(last_line(out))
    assert type_name == "Agency"
    with sqlite3.connect(migrated.database) as db:
        row = db.execute("SELECT name, sap_number FROM agency WHERE id = ?", (pk,)).fetchone()
        prefixes = db.execute(
            "SELECT prefix FROM agency_postal_prefix WHERE agency_id = ? ORDER BY prefix", (pk,)
        ).fetchall()
    assert row == ("Agence Lyon", "SAP987654321")
    assert [p for (p,) in prefixes] == ["01", "69"]


REFUSED_PREFIXES = [
    ("7x", "postal prefixes must be 1 to 5 digits"),
    ("", "postal prefixes must be 1 to 5 digits"),
    ("123456", "postal prefixes must be 1 to 5 digits"),
    ("13", "already served"),
    ("14,13", "already served by another agency: ['13']"),
]


def test_create_agency_refuses_bad_or_served_prefixes(migrated):
    before = migrated.count("agency"), migrated.count("agency_postal_prefix")
    results = migrated.run_all(
        [
            ["create-agency", "--name", "Agence X", "--postal-prefixes", prefixes]
            for prefixes, _ in REFUSED_PREFIXES
        ]
    )
    for (prefixes, message), result in zip(REFUSED_PREFIXES, results, strict=True):
        assert result.returncode == 1, (prefixes, result.stdout, result.stderr)
        assert message in result.stderr, (prefixes, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stdout.strip() == ""
    assert (migrated.count("agency"), migrated.count("agency_postal_prefix")) == before


def test_created_users_can_log_in_through_graphql(migrated):
    agency = migrated.create_agency("33")
    admin = migrated.create_user(agency, "ADMIN", "Admin.Bordeaux@Example.com")
    worker = migrated.create_user(
        agency, "WORKER", "worker.bordeaux@example.com", "--phone", "+33 6 12 34 56 78"
    )
    assert from_global_id(admin)[0] == "Account"
    assert from_global_id(worker)[0] == "Account"

    with migrated.serving() as base, httpx.Client(base_url=base, timeout=20) as http:
        for email, account_id, role in (
            ("admin.bordeaux@example.com", admin, "ADMIN"),
            ("worker.bordeaux@example.com", worker, "WORKER"),
        ):
            logged = http.post(
                "/graphql",
                json={"query": LOG_IN, "variables": {"email": email, "password": PASSWORD}},
            ).json()["data"]["logIn"]
            assert logged["userErrors"] == [], logged
            assert logged["account"] == {"id": account_id, "role": role}
            me = http.post(
                "/graphql",
                json={"query": ME},
                headers={"Authorization": f"Bearer {logged['token']}"},
            ).json()["data"]["me"]
            assert me["email"] == email
            assert me["agency"] == {"id": agency, "name": "Agence Test"}
            assert (me["worker"] is not None) is (role == "WORKER")


REFUSED_USERS = [
    ({"--password": "weak"}, "--password: Au moins 12 caract"),
    ({"--password": "Password123456!"}, "--password"),
    ({"--email": "not-an-email"}, "--email"),
    ({"--first-name": "R2D2"}, "--first-name"),
    ({"--phone": "12"}, "--phone"),
    ({"--agency": to_global_id("Agency", 999_999)}, "no agency has this id"),
    ({"--agency": "garbage!"}, "--agency: 'garbage!' is not an agency id"),
    ({"--agency": to_global_id("Account", 1)}, "is not an agency id"),
    ({"--role": "WORKER", "--employee-number": "M 12"}, "--employee-number"),
    ({"--employee-number": "M12"}, "--employee-number: only workers have one"),
]


def test_create_user_refuses_bad_input_clearly(migrated):
    commands = []
    for change, _ in REFUSED_USERS:
        options = {
            "--agency": migrated.agencies["13"],
            "--role": "ADVISOR",
            "--email": "someone.marseille@example.com",
            "--password": PASSWORD,
            "--first-name": "Claire",
            "--last-name": "Martin",
            **change,
        }
        commands.append(["create-user", *[part for pair in options.items() for part in pair]])
    before = migrated.count("account")
    results = migrated.run_all(commands)
    for (change, message), result in zip(REFUSED_USERS, results, strict=True):
        assert result.returncode == 1, (change, result.stdout, result.stderr)
        assert message in result.stderr, (change, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stdout.strip() == ""
    assert migrated.count("account") == before


def test_create_user_refuses_a_taken_email_or_employee_number(migrated):
    agency = migrated.create_agency("35", "Agence Rennes")
    migrated.create_user(agency, "WORKER", "taken.rennes@example.com", "--employee-number", "R-1")
    person = ("--password", PASSWORD, "--first-name", "Paul", "--last-name", "Roux")
    before = migrated.count("account")
    again, number = migrated.run_all(
        [
            [
                "create-user",
                *("--agency", agency, "--role", "ADVISOR", "--email", "TAKEN.rennes@example.com"),
                *person,
            ],
            [
                "create-user",
                *("--agency", agency, "--role", "WORKER", "--email", "other.rennes@example.com"),
                *person,
                *("--employee-number", "R-1"),
            ],
        ]
    )
    assert again.returncode == 1
    assert "already uses taken.rennes@example.com" in again.stderr
    assert number.returncode == 1
    assert "R-1 is already used in this agency" in number.stderr
    assert "Traceback" not in again.stderr + number.stderr
    assert migrated.count("account") == before


def test_seed_demo_is_idempotent_and_prints_the_logins(cli):
    cli.ok("migrate")
    first = cli.ok("seed-demo")
    counts = {table: cli.count(table) for table in ("agency", "account", "client", "worker")}
    assert counts["account"] > 0
    assert counts["worker"] >= 1
    assert counts["client"] >= 1
    second = cli.ok("seed-demo")
    assert {table: cli.count(table) for table in counts} == counts
    for out in (first, second):
        assert "admin@demo.passage.example" in out
        assert "Jardin-Lilas-7-Pluie!" in out

    # `serve --seed-demo` (what `make run` does) leaves a seeded database as it is,
    # and the printed logins work.
    with cli.serving("--seed-demo") as base, httpx.Client(base_url=base, timeout=20) as http:
        for email, role in (
            ("admin@demo.passage.example", "ADMIN"),
            ("intervenant1@demo.passage.example", "WORKER"),
            ("client1@demo.passage.example", "CLIENT"),
        ):
            variables = {"email": email, "password": "Jardin-Lilas-7-Pluie!"}
            logged = http.post("/graphql", json={"query": LOG_IN, "variables": variables})
            assert logged.json()["data"]["logIn"]["account"]["role"] == role, logged.json()
    assert {table: cli.count(table) for table in counts} == counts


def test_production_refuses_a_missing_or_short_secret_key(cli):
    # Production-grade everything, so the key is the only thing wrong.
    env = {
        "ENVIRONMENT": "production",
        "PUBLIC_URL": "https://passage.example",
        "ARGON2_MEMORY_KIB": str(19 * 1024),
        "ARGON2_TIME_COST": "2",
    }
    cases = [
        (command, secret)
        for command in (["serve", "--port", str(free_port())], ["migrate"])
        for secret in (None, "too-short", "x" * 31)
    ]
    results = cli.run_all(
        [command for command, _ in cases],
        [env if secret is None else {**env, "SECRET_KEY": secret} for _, secret in cases],
    )
    for (command, secret), result in zip(cases, results, strict=True):
        assert result.returncode == 2, (command, secret, result.stdout, result.stderr)
        assert "SECRET_KEY" in result.stderr, (command, secret, result.stderr)
        assert "Traceback" not in result.stderr
    assert not cli.database.exists()  # refused before touching anything


def test_production_accepts_a_proper_secret_key(cli):
    out = cli.ok(
        "migrate",
        ENVIRONMENT="production",
        PUBLIC_URL="https://passage.example",
        ARGON2_MEMORY_KIB=str(19 * 1024),
        ARGON2_TIME_COST="2",
        SECRET_KEY=GOOD_SECRET,
    )
    assert "migrations applied" in out


def test_serve_speaks_https_with_a_certificate(cli):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the `openssl` command is needed to make a test certificate")
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
            *("-subj", "/CN=127.0.0.1", "-days", "1"),
            *("-keyout", str(cli.directory / "k.pem"), "-out", str(cli.directory / "c.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT,
    )
    tls = ("--certfile", str(cli.directory / "c.pem"), "--keyfile", str(cli.directory / "k.pem"))
    with cli.serving(*tls, scheme="https") as base:
        assert base.startswith("https://")
        response = httpx.get(f"{base}/healthz", verify=False, timeout=10)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        with pytest.raises(httpx.TransportError):
            httpx.get(base.replace("https://", "http://") + "/healthz", timeout=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--certfile", "c.pem"], "--certfile and --keyfile go together"),
        (["--keyfile", "k.pem"], "--certfile and --keyfile go together"),
        (["--certfile", "missing.pem", "--keyfile", "missing.pem"], "--certfile: no readable"),
        (["--certfile", "c.pem", "--keyfile", "k.pem"], "not a usable PEM pair"),
    ],
)
def test_serve_refuses_half_a_tls_configuration(cli, args, message):
    (cli.directory / "c.pem").write_text("not used")
    (cli.directory / "k.pem").write_text("not used")
    result = cli.run("serve", "--port", str(free_port()), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not cli.database.exists()  # refused before migrating
