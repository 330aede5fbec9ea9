"""The Calendar answered by hand: a plain Starlette endpoint, one session lookup, one JOIN.

What a hand-written endpoint would do for the same page: read the bearer token, check
the session (one query, as `viewer_from_token` does), read the page with one SQL
statement through the Tortoise connection, and build the very JSON the GraphQL API
returns (`{"data": {"interventions": ...}}`), with the same ids and cursors.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from models.db import close_db, init_db

SESSION_SQL = """
SELECT s.revoked_at, s.expires_at, s.last_seen_at, a.id AS account_id, a.role, a.status,
       a.agency_id
FROM session s JOIN account a ON a.id = s.account_id
WHERE s.token_hash = {0}
"""

# The viewer's scope, as resolvers/calendar.scope() defines it, folded into the JOIN.
SCOPES = {
    "CLIENT": "JOIN client sc ON sc.id = i.client_id AND sc.account_id = {0}",
    "WORKER": "JOIN worker sc ON sc.id = i.worker_id AND sc.account_id = {0}",
}

CALENDAR_SQL = """
SELECT i.id, i.status, i.scheduled_start, i.scheduled_end, i.checked_in_at, i.checked_out_at,
       i.client_id, i.worker_id, st.code AS service_code, st.label AS service_label,
       wa.first_name, wa.last_name, ad.line1, ad.postal_code, ad.city
FROM intervention i
{scope}
JOIN service_type st ON st.id = i.service_type_id
JOIN address ad ON ad.id = i.address_id
LEFT JOIN worker w ON w.id = i.worker_id
LEFT JOIN account wa ON wa.id = w.account_id
WHERE {agency} i.scheduled_start < {1} AND i.scheduled_end > {2}
ORDER BY i.scheduled_start, i.id
LIMIT {3}
"""

IDLE = timedelta(days=7)
MAX_PAGE = 100
DEFAULT_PAGE = 20


def _gid(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def _dt(value: Any) -> datetime | None:
    """SQLite hands back text, asyncpg datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _iso(value: Any) -> str | None:
    parsed = _dt(value)
    return None if parsed is None else parsed.isoformat()


def _unauthenticated() -> Response:
    body = {
        "data": None,
        "errors": [
            {"message": "Jeton invalide ou expiré.", "extensions": {"code": "UNAUTHENTICATED"}}
        ],
    }
    return JSONResponse(body, status_code=200)


def create_baseline_app(settings: Any) -> Starlette:
    dialect = "postgres" if settings.database_url.startswith("postgres") else "sqlite"

    def sql(template: str, scope: str = "", agency: str = "") -> str:
        marks = [f"${i}" for i in range(1, 5)] if dialect == "postgres" else ["?"] * 4
        text = template.replace("{scope}", scope).replace("{agency}", agency)
        return text.format(*marks)

    session_sql = sql(SESSION_SQL)
    queries = {
        "CLIENT": sql(CALENDAR_SQL, scope=SCOPES["CLIENT"]),
        "WORKER": sql(CALENDAR_SQL, scope=SCOPES["WORKER"]),
        "STAFF": sql(CALENDAR_SQL, agency="i.agency_id = {0} AND"),
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings.database_url)
        try:
            yield
        finally:
            await close_db()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def calendar(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _unauthenticated()
        db = connections.get("default")
        token_hash = hashlib.sha256(token.strip().encode()).hexdigest()
        found = await db.execute_query_dict(session_sql, [token_hash])
        now = datetime.now(UTC)
        if (
            not found
            or found[0]["revoked_at"] is not None
            or _dt(found[0]["expires_at"]) <= now  # type: ignore[operator]
            or _dt(found[0]["last_seen_at"]) + IDLE <= now  # type: ignore[operator]
            or found[0]["status"] != "ACTIVE"
        ):
            return _unauthenticated()
        viewer = found[0]
        payload = await request.json()
        variables = payload.get("variables") or {}
        start = datetime.fromisoformat(variables["from"])
        end = datetime.fromisoformat(variables["to"])
        first = variables.get("first")
        size = DEFAULT_PAGE if first is None else max(0, min(MAX_PAGE, int(first)))
        role = viewer["role"] if viewer["role"] in {"CLIENT", "WORKER"} else "STAFF"
        scope_value = viewer["agency_id"] if role == "STAFF" else viewer["account_id"]
        rows = await db.execute_query_dict(queries[role], [scope_value, end, start, size + 1])
        edges = []
        for row in rows[:size]:
            scheduled_start = _dt(row["scheduled_start"])
            assert scheduled_start is not None
            worker = None
            if row["worker_id"] is not None:
                worker = {
                    "id": _gid("Worker", row["worker_id"]),
                    "displayName": f"{row['first_name']} {(row['last_name'] or '')[:1]}.",
                }
            edges.append(
                {
                    "cursor": f"{int(scheduled_start.timestamp() * 1_000_000)}.{row['id']}",
                    "node": {
                        "id": _gid("Intervention", row["id"]),
                        "status": row["status"],
                        "scheduledStart": scheduled_start.isoformat(),
                        "scheduledEnd": _iso(row["scheduled_end"]),
                        "checkedInAt": _iso(row["checked_in_at"]),
                        "checkedOutAt": _iso(row["checked_out_at"]),
                        "serviceType": {"code": row["service_code"], "label": row["service_label"]},
                        "worker": worker,
                        "client": {"id": _gid("Client", row["client_id"])},
                        "address": {
                            "line1": row["line1"],
                            "postalCode": row["postal_code"],
                            "city": row["city"],
                        },
                    },
                }
            )
        page = {
            "edges": edges,
            "pageInfo": {
                "hasNextPage": len(rows) > size,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }
        return JSONResponse({"data": {"interventions": page}})

    return Starlette(
        routes=[
            Route("/graphql", calendar, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
