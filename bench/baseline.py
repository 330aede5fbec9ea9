"""The Calendar answered by hand: a plain Starlette endpoint, one session lookup, one JOIN.

What a hand-written endpoint would do for the same page: read the bearer token, check
the session (one query, as `viewer_from_token` does), read the page with one SQL
statement through the Tortoise connection, and build the very JSON the GraphQL API
returns (`{"data": {"interventions": ...}}`), with the same ids and cursors.

Three heavier documents of the read corpus (bench/documents), picked by the request's
`operationName`, are answered the same way for `python -m bench.reads --embedded`: the
staff's day board (`Day`), the household's calendar with ratings (`CalendarWithRatings`)
and its invoices with their lines (`Invoices`, two statements).
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

# The staff's day board: the Calendar's JOIN with the client's name, lateness and flag.
DAY_SQL = """
SELECT i.id, i.status, i.scheduled_start, i.scheduled_end, i.checked_in_at, i.checked_out_at,
       i.late_at, i.position_flagged, i.client_id, i.worker_id, st.label AS service_label,
       wa.first_name, wa.last_name, ca.first_name AS client_first_name,
       ca.last_name AS client_last_name, ad.line1, ad.postal_code, ad.city
FROM intervention i
JOIN service_type st ON st.id = i.service_type_id
JOIN address ad ON ad.id = i.address_id
JOIN client c ON c.id = i.client_id
JOIN account ca ON ca.id = c.account_id
LEFT JOIN worker w ON w.id = i.worker_id
LEFT JOIN account wa ON wa.id = w.account_id
WHERE i.agency_id = {0} AND i.scheduled_start < {1} AND i.scheduled_end > {2}
ORDER BY i.scheduled_start, i.id
LIMIT {3}
"""

# The household's calendar with each visit's rating.
RATED_SQL = """
SELECT i.id, i.status, i.scheduled_start, i.scheduled_end, i.checked_in_at, i.checked_out_at,
       i.worker_id, st.code AS service_code, st.label AS service_label,
       wa.first_name, wa.last_name, ad.line1, ad.postal_code, ad.city,
       r.id AS rating_id, r.score, r.comment
FROM intervention i
JOIN client sc ON sc.id = i.client_id AND sc.account_id = {0}
JOIN service_type st ON st.id = i.service_type_id
JOIN address ad ON ad.id = i.address_id
LEFT JOIN worker w ON w.id = i.worker_id
LEFT JOIN account wa ON wa.id = w.account_id
LEFT JOIN rating r ON r.intervention_id = i.id
WHERE i.scheduled_start < {1} AND i.scheduled_end > {2}
ORDER BY i.scheduled_start, i.id
LIMIT {3}
"""

# The household's invoices of a year, newest first, then their lines.
INVOICES_SQL = """
SELECT v.id, v.number, v.kind, v.status, v.issued_on, v.due_on, v.period_start, v.period_end,
       v.total_excl_cents, v.vat_cents, v.total_incl_cents, v.advance_cents,
       v.amount_due_cents, v.paid_cents
FROM invoice v
JOIN client c ON c.id = v.client_id AND c.account_id = {0}
WHERE v.year = {1}
ORDER BY v.id DESC
LIMIT {2}
"""
LINES_SQL = """
SELECT invoice_id, label, service_date, start_time, end_time, worker_name, minutes,
       hourly_rate_cents, vat_rate_bp, excl_cents, incl_cents
FROM invoice_line WHERE invoice_id IN ({ids}) ORDER BY invoice_id, position
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


def _day(value: Any) -> str:
    """A date column as the API writes it (SQLite hands back text)."""
    return value if isinstance(value, str) else value.isoformat()


def _money(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _short_name(first: str | None, last: str | None) -> str:
    return f"{first} {(last or '')[:1]}."


def _page(edges: list[dict[str, Any]], more: bool, end_cursor: str | None) -> dict[str, Any]:
    return {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": end_cursor}}


def _size(variables: dict[str, Any], default: int = DEFAULT_PAGE) -> int:
    first = variables.get("first")
    return default if first is None else max(0, min(MAX_PAGE, int(first)))


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
    day_sql, rated_sql, invoices_sql = sql(DAY_SQL), sql(RATED_SQL), sql(INVOICES_SQL)
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
        other = OPERATIONS.get(payload.get("operationName") or "Calendar")
        if other is not None:
            return JSONResponse({"data": await other(db, viewer, variables)})
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

    async def day_board(db: Any, viewer: dict[str, Any], variables: dict[str, Any]) -> Any:
        if viewer["role"] not in {"ADVISOR", "ADMIN"}:
            return None
        start = datetime.fromisoformat(variables["from"])
        end = datetime.fromisoformat(variables["to"])
        size = _size(variables)
        rows = await db.execute_query_dict(day_sql, [viewer["agency_id"], end, start, size + 1])
        edges = []
        for row in rows[:size]:
            worker = None
            if row["worker_id"] is not None:
                worker = {
                    "id": _gid("Worker", row["worker_id"]),
                    "displayName": _short_name(row["first_name"], row["last_name"]),
                }
            edges.append(
                {
                    "node": {
                        "id": _gid("Intervention", row["id"]),
                        "status": row["status"],
                        "scheduledStart": _iso(row["scheduled_start"]),
                        "scheduledEnd": _iso(row["scheduled_end"]),
                        "checkedInAt": _iso(row["checked_in_at"]),
                        "checkedOutAt": _iso(row["checked_out_at"]),
                        "late": row["late_at"] is not None,
                        "positionFlagged": bool(row["position_flagged"]),
                        "serviceType": {"label": row["service_label"]},
                        "worker": worker,
                        "client": {
                            "id": _gid("Client", row["client_id"]),
                            "displayName": f"{row['client_first_name']} {row['client_last_name']}",
                        },
                        "address": {
                            "line1": row["line1"],
                            "postalCode": row["postal_code"],
                            "city": row["city"],
                        },
                    }
                }
            )
        last = rows[size - 1] if edges else None
        cursor = None
        if last is not None:
            moment = _dt(last["scheduled_start"])
            assert moment is not None
            cursor = f"{int(moment.timestamp() * 1_000_000)}.{last['id']}"
        return {"interventions": _page(edges, len(rows) > size, cursor)}

    async def rated_calendar(db: Any, viewer: dict[str, Any], variables: dict[str, Any]) -> Any:
        if viewer["role"] != "CLIENT":
            return None
        start = datetime.fromisoformat(variables["from"])
        end = datetime.fromisoformat(variables["to"])
        size = 50
        rows = await db.execute_query_dict(rated_sql, [viewer["account_id"], end, start, size + 1])
        edges: list[dict[str, Any]] = []
        for row in rows[:size]:
            moment = _dt(row["scheduled_start"])
            assert moment is not None
            worker = None
            if row["worker_id"] is not None:
                worker = {
                    "id": _gid("Worker", row["worker_id"]),
                    "displayName": _short_name(row["first_name"], row["last_name"]),
                }
            rating = None
            if row["rating_id"] is not None:
                rating = {
                    "id": _gid("Rating", row["rating_id"]),
                    "score": row["score"],
                    "comment": row["comment"],
                }
            edges.append(
                {
                    "cursor": f"{int(moment.timestamp() * 1_000_000)}.{row['id']}",
                    "node": {
                        "id": _gid("Intervention", row["id"]),
                        "status": row["status"],
                        "scheduledStart": moment.isoformat(),
                        "scheduledEnd": _iso(row["scheduled_end"]),
                        "checkedInAt": _iso(row["checked_in_at"]),
                        "checkedOutAt": _iso(row["checked_out_at"]),
                        "serviceType": {"code": row["service_code"], "label": row["service_label"]},
                        "worker": worker,
                        "address": {
                            "line1": row["line1"],
                            "postalCode": row["postal_code"],
                            "city": row["city"],
                        },
                        "rating": rating,
                    },
                }
            )
        end_cursor = edges[-1]["cursor"] if edges else None
        return {"interventions": _page(edges, len(rows) > size, end_cursor)}

    async def invoices(db: Any, viewer: dict[str, Any], variables: dict[str, Any]) -> Any:
        if viewer["role"] != "CLIENT":
            return None
        size = 12  # the document's `first`
        rows = await db.execute_query_dict(
            invoices_sql, [viewer["account_id"], int(variables["year"]), size + 1]
        )
        rows = rows[:size]
        lines: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        if rows:
            marks = ", ".join(
                f"${i}" if dialect == "postgres" else "?" for i in range(1, len(rows) + 1)
            )
            for line in await db.execute_query_dict(
                LINES_SQL.replace("{ids}", marks), [row["id"] for row in rows]
            ):
                minutes = line["minutes"]
                lines[line["invoice_id"]].append(
                    {
                        "label": line["label"],
                        "serviceDate": _day(line["service_date"]),
                        "startTime": line["start_time"],
                        "endTime": line["end_time"],
                        "workerName": line["worker_name"],
                        "hours": f"{minutes // 60}.{round(minutes % 60 * 100 / 60):02d}",
                        "hourlyRate": _money(line["hourly_rate_cents"]),
                        "vatRate": _money(line["vat_rate_bp"]),
                        "amountExcludingTax": _money(line["excl_cents"]),
                        "amountIncludingTax": _money(line["incl_cents"]),
                    }
                )
        today = datetime.now(UTC).date().isoformat()
        edges = []
        for row in rows:
            status = row["status"]
            payable = row["kind"] in {"INVOICE", "CORRECTION"}
            if payable and _day(row["due_on"]) < today and status in {"ISSUED", "PARTLY_PAID"}:
                status = "OVERDUE"
            edges.append(
                {
                    "node": {
                        "id": _gid("Invoice", row["id"]),
                        "number": row["number"],
                        "kind": row["kind"],
                        "status": status,
                        "issuedOn": _day(row["issued_on"]),
                        "dueOn": _day(row["due_on"]),
                        "periodStart": _day(row["period_start"]),
                        "periodEnd": _day(row["period_end"]),
                        "totalExcludingTax": _money(row["total_excl_cents"]),
                        "vatAmount": _money(row["vat_cents"]),
                        "totalIncludingTax": _money(row["total_incl_cents"]),
                        "immediateAdvance": _money(row["advance_cents"]),
                        "amountDue": _money(row["amount_due_cents"]),
                        "amountPaid": _money(row["paid_cents"]),
                        "lines": lines[row["id"]],
                    }
                }
            )
        end_cursor = _gid("cursor", rows[-1]["id"]) if rows else None
        return {"invoices": _page(edges, False, end_cursor)}

    OPERATIONS = {"Day": day_board, "CalendarWithRatings": rated_calendar, "Invoices": invoices}

    return Starlette(
        routes=[
            Route("/graphql", calendar, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
