"""A local URSSAF stand-in: the API Tiers de prestation's paths, payloads, codes and errors.

`passage urssaf-sandbox --port N` serves it, so that the whole immediate advance can be
played without credentials; the tests and `make demo` use it over real HTTP. Passage's
client is pointed at it by URSSAF_URL alone and cannot tell it from URSSAF.

Contract paths (docs/urssaf.md):
  POST /api/oauth/v1/token                                  OAuth2 client credentials
  POST /atp/v1/tiersPrestations/particulier                 enrol a household
  POST /atp/v1/tiersPrestations/demandePaiement             send up to 10 payment requests
  POST /atp/v1/tiersPrestations/demandePaiement/rechercher  read statuses (10 ids at most)
What happens outside the API (the household's URSSAF space, URSSAF's back office, time):
  POST /sandbox/demandePaiement/{id}/{validate|refuse|contest|cancel|unpaid|pay}
  POST /sandbox/clock  {"hours": 48}
Any client id and secret are accepted unless `credentials` are given.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulation.urssaf_ledger import Ledger, error

API = "/atp/v1/tiersPrestations"
SCOPE = "homeplus.tiersprestations"
TOKEN_SECONDS = 3600
MAX_REQUESTS = 10
ACTIONS = frozenset({"validate", "refuse", "contest", "cancel", "unpaid", "pay"})

Handler = Callable[[Request], Awaitable[Response]]


def _errors(status: int, errors: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse(errors, status_code=status)


def build_app(ledger: Ledger) -> Starlette:
    app = Starlette(
        routes=[
            Route("/api/oauth/v1/token", _token, methods=["POST"]),
            Route(f"{API}/particulier", _particulier, methods=["POST"]),
            Route(f"{API}/demandePaiement", _demande_paiement, methods=["POST"]),
            Route(f"{API}/demandePaiement/rechercher", _rechercher, methods=["POST"]),
            Route("/sandbox/demandePaiement/{id}/{action}", _act, methods=["POST"]),
            Route("/sandbox/clock", _clock, methods=["POST"]),
        ]
    )
    app.state.ledger = ledger
    return app


def _ledger(request: Request) -> Ledger:
    """What this stand-in's URSSAF knows (one ledger per app)."""
    ledger: Ledger = request.app.state.ledger
    return ledger


async def _token(request: Request) -> Response:
    ledger = _ledger(request)
    # application/x-www-form-urlencoded, read without a multipart parser.
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
    if form.get("grant_type") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    if SCOPE not in str(form.get("scope", "")).split():
        return JSONResponse({"error": "invalid_scope"}, status_code=400)
    client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    expected = ledger.credentials.get(client_id)
    if not client_id or (ledger.credentials and expected != secret):
        return JSONResponse({"error": "invalid_client"}, status_code=401)
    value = secrets.token_urlsafe(24)
    ledger.tokens.add(value)
    return JSONResponse(
        {
            "access_token": value,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": SCOPE,
        }
    )


def _authorised(handler: Handler) -> Handler:
    """The API's paths: a token from `_token`, and a malformed body is URSSAF's 400."""

    async def guarded(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        if header.removeprefix("Bearer ") not in _ledger(request).tokens:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        try:
            return await handler(request)
        except (KeyError, TypeError, ValueError) as exc:
            return _errors(400, [error("ERREUR_VALIDATION", f"Requête invalide : {exc}")])

    return guarded


@_authorised
async def _particulier(request: Request) -> Response:
    body = await request.json()
    client_id, problems = _ledger(request).register(body)
    if problems:
        return _errors(400, problems)
    return JSONResponse({"idClient": client_id})


@_authorised
async def _demande_paiement(request: Request) -> Response:
    body = await request.json()
    if not isinstance(body, list) or not body:
        return _errors(400, [error("ERREUR_VALIDATION", "Une liste est attendue")])
    if len(body) > MAX_REQUESTS:
        return _errors(400, [error("ERR_NBRE_PREST_MAX", "10 demandes au plus")])
    ledger = _ledger(request)
    return JSONResponse([ledger.submit(item) for item in body])


@_authorised
async def _rechercher(request: Request) -> Response:
    status, body = _ledger(request).search(await request.json())
    return JSONResponse(body, status_code=status)


async def _act(request: Request) -> Response:
    """What the household, URSSAF's back office or the bank does to a payment request."""
    if request.path_params["action"] not in ACTIONS:
        return JSONResponse({"error": "action inconnue"}, status_code=404)
    body: dict[str, Any] = {}
    if await request.body():
        body = await request.json()
    ledger = _ledger(request)
    problem = ledger.act(
        request.path_params["id"],
        request.path_params["action"],
        str(body.get("code", "")),
        str(body.get("commentaire", "")),
    )
    if problem:
        return JSONResponse({"error": problem}, status_code=409)
    found = ledger.requests[request.path_params["id"]]
    return JSONResponse(ledger.info(found))


async def _clock(request: Request) -> Response:
    ledger = _ledger(request)
    body = await request.json()
    ledger.clock.advance(timedelta(hours=float(body.get("hours", 0))))
    return JSONResponse({"now": ledger.clock.now().isoformat()})


@dataclass
class RunningSandbox:
    ledger: Ledger
    server: uvicorn.Server
    task: asyncio.Task[None]
    url: str
    port: int

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def start(ledger: Ledger | None = None, port: int = 0) -> RunningSandbox:
    """Serves the stand-in on loopback (a free port, or `port` to come back where its
    clients expect it) with `ledger`'s memory, so a restart keeps what URSSAF knew."""
    ledger = ledger or Ledger()
    config = uvicorn.Config(
        build_app(ledger), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    return RunningSandbox(ledger, server, task, f"http://127.0.0.1:{bound}", bound)


def serve(host: str, port: int) -> None:
    """`passage urssaf-sandbox`: in the foreground until Ctrl-C."""
    uvicorn.run(build_app(Ledger()), host=host, port=port, log_level="info")
