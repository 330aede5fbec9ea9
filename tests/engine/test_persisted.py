"""Persisted documents: sent by their SHA-256 (the Apollo convention), registered
automatically only when allowed, explicitly by an ADMIN or from a manifest, and required
of anonymous callers when production says so."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from models.enums import Role
from models.persisted import PersistedDocument
from services.config import Settings
from tests import factories
from tests.conftest import RunningServer
from tests.factories import unique

REGISTER = """
mutation Register($input: RegisterPersistedDocumentsInput!) {
  registerPersistedDocuments(input: $input) {
    documents { sha256Hash }
    userErrors { field message code }
  }
}
"""
_SCRIPT = Path(sys.executable).with_name("passage")
PASSAGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def document() -> str:
    """A document no other test registered: its operation name is unique."""
    return f"query {unique('Probe')} {{ __typename }}"


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


async def send(
    server: RunningServer,
    text: str | None,
    extensions: dict[str, Any] | None,
    token: str | None = None,
) -> Any:
    body: dict[str, Any] = {"query": text} if text is not None else {}
    if extensions is not None:
        body["extensions"] = extensions
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return (await server.api.http.post("/graphql", json=body, headers=headers)).json()


def code(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def production(settings: Settings, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "public_url": "https://passage.example",
        "argon2_memory_kib": 19456,
        "argon2_time_cost": 2,
    }
    return settings.with_(**{**values, **changes}).validate()


@pytest.fixture(scope="module")
async def servers(settings, start, server) -> AsyncIterator[dict[str, RunningServer]]:
    started = {
        "automatic": await start(settings.with_(automatic_persisted_queries=True)),
        "strict": await start(production(settings, persisted_documents="anonymous-only")),
    }
    yield {"default": server, **started}
    for running in started.values():
        await running.stop()


async def admin_token(api, settings, role: Role = Role.ADMIN) -> str:
    agency_id = await factories.agency(settings)
    return await factories.log_in(api, await factories.staff(settings, agency_id, role))


async def test_an_unknown_hash_is_not_found(servers):
    result = await send(servers["default"], None, persisted(document()))
    assert code(result) == "PERSISTED_QUERY_NOT_FOUND"
    assert result["errors"][0]["message"] == "PersistedQueryNotFound"  # what Apollo looks for
    malformed = {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}
    assert code(await send(servers["default"], None, malformed)) == "PERSISTED_QUERY_INVALID"


async def test_a_document_sent_with_its_hash_is_registered_only_where_allowed(servers):
    text = document()
    # Default: the text runs, nothing is registered.
    ran = await send(servers["default"], text, persisted(text))
    assert ran["data"] == {"__typename": "Query"}
    assert not await PersistedDocument.filter(sha256=sha(text)).exists()
    assert code(await send(servers["default"], None, persisted(text))) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )
    # Automatic persisted queries switched on: registered, then the hash alone is enough,
    # on any process (the database holds it).
    first = await send(servers["automatic"], text, persisted(text))
    assert first["data"] == {"__typename": "Query"}
    assert await PersistedDocument.filter(sha256=sha(text), source="AUTOMATIC").exists()
    again = await send(servers["default"], None, persisted(text))
    assert again["data"] == {"__typename": "Query"}
    assert again["extensions"]["cost"]["requestedQueryCost"] == 0
    # A hash that is not the text's is refused, and registers nothing.
    other = document()
    wrong = await send(servers["automatic"], other, persisted(text + " "))
    assert code(wrong) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert not await PersistedDocument.filter(sha256=sha(other)).exists()
    # Only what passes the limits and validation is registered.
    invalid = f"query {unique('Bad')} {{ nothingHere }}"
    refused = await send(servers["automatic"], invalid, persisted(invalid))
    assert code(refused) == "GRAPHQL_VALIDATION_FAILED"
    assert not await PersistedDocument.filter(sha256=sha(invalid)).exists()


async def test_an_admin_registers_documents_checked_against_the_schema(api, settings, servers):
    token = await admin_token(api, settings)
    texts = [document(), "query { me { id email } }"]
    result = await api.data(REGISTER, {"input": {"documents": texts}}, token=token)
    payload = result["registerPersistedDocuments"]
    assert payload["userErrors"] == []
    assert [d["sha256Hash"] for d in payload["documents"]] == [sha(t) for t in texts]
    me = await send(servers["default"], None, persisted(texts[1]), token=token)
    assert me["data"]["me"]["id"]

    # All or none: one document that does not validate, nothing registered.
    fresh = document()
    refused = await api.data(
        REGISTER, {"input": {"documents": [fresh, "query { nothingHere }"]}}, token=token
    )
    payload = refused["registerPersistedDocuments"]
    assert payload["documents"] == []
    [error] = payload["userErrors"]
    assert error["field"] == ["documents", "1"]
    assert error["code"] == "INVALID_DOCUMENT"
    assert not await PersistedDocument.filter(sha256=sha(fresh)).exists()
    too_many = await api.data(REGISTER, {"input": {"documents": [fresh] * 101}}, token=token)
    assert too_many["registerPersistedDocuments"]["userErrors"][0]["code"] == "OUT_OF_RANGE"

    advisor = await admin_token(api, settings, Role.ADVISOR)
    forbidden = await api.gql(REGISTER, {"input": {"documents": [fresh]}}, token=advisor)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert code(await api.gql(REGISTER, {"input": {"documents": [fresh]}})) == "UNAUTHENTICATED"


async def test_production_runs_only_registered_documents_for_anonymous_callers(
    api, settings, servers
):
    strict = servers["strict"]
    text = document()
    assert code(await send(strict, text, None)) == "PERSISTED_QUERY_REQUIRED"
    # Sent with its hash: not registered automatically in this mode.
    assert code(await send(strict, text, persisted(text))) == "PERSISTED_QUERY_NOT_FOUND"

    token = await admin_token(api, settings)
    await api.data(REGISTER, {"input": {"documents": [text]}}, token=token)
    assert (await send(strict, None, persisted(text)))["data"] == {"__typename": "Query"}
    assert (await send(strict, text, None))["data"] == {"__typename": "Query"}  # registered
    # A signed-in caller may still send any document.
    signed_in = await send(strict, "{ me { role } }", None, token=token)
    assert signed_in["data"] == {"me": {"role": "ADMIN"}}


async def test_a_persisted_query_may_come_over_get_even_in_production(api, settings, servers):
    strict = servers["strict"]
    text = document()
    token = await admin_token(api, settings)
    mutation = "mutation { logOut { ok } }"
    await api.data(REGISTER, {"input": {"documents": [text, mutation]}}, token=token)
    params = {"extensions": json.dumps(persisted(text))}
    response = await strict.api.http.get("/graphql", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}
    # Text over GET stays off in production; a mutation never goes over GET.
    plain = await strict.api.http.get("/graphql", params={"query": text})
    assert plain.status_code == 400
    by_hash = {"extensions": json.dumps(persisted(mutation))}
    assert (await strict.api.http.get("/graphql", params=by_hash)).status_code == 400


async def test_a_manifest_registers_from_the_command_line(settings, servers, tmp_path):
    texts = [document(), document()]
    manifest: dict[str, Any] = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha(t), "name": t.split()[1], "type": "query", "body": t} for t in texts
        ],
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": settings.database_url,
        "PASSAGE_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [*PASSAGE, "register-documents", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [sha(t) for t in texts]
    for text in texts:
        answer = await send(servers["strict"], None, persisted(text))
        assert answer["data"] == {"__typename": "Query"}

    manifest["operations"][0]["id"] = "0" * 64  # an id that is not the body's hash
    path.write_text(json.dumps(manifest))
    refused = await asyncio.to_thread(
        subprocess.run,
        [*PASSAGE, "register-documents", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode != 0
    assert "SHA-256" in refused.stderr
