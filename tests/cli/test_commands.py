"""The `passage` command, run as an operator runs it: a process with its environment.

Each test gets its own SQLite file, whatever database the rest of the suite uses.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from schema.core.ids import from_global_id, to_global_id
from tests.cli.commands import COMMAND_TIMEOUT, Cli, last_line
from tests.factories import LOG_IN, PASSWORD
from tests.mailbox import free_port

GOOD_SECRET = "a-production-secret-that-is-long-enough-0123456789"

ME = "query { me { id email role worker { id } agency { id name } } }"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


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
