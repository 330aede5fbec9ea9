"""The HTTP client of URSSAF's API Tiers de prestation.

OAuth2 client credentials (scope `homeplus.tiersprestations`) with the token cached until
shortly before it expires; every call has a timeout, a failed call (no answer, 5xx, 429)
is retried a few times with a doubling delay, an expired token is renewed once. Each
call and its answer are written to the audit table, secrets and IBANs masked. The base
URL is the only thing that says where URSSAF is (production, URSSAF's sandbox, or a
local stand-in): this code knows nothing else of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from models.billing.urssaf import UrssafExchange
from services.clock import utcnow
from services.urssaf.masking import masked_text

log = logging.getLogger("passage.urssaf")

SCOPE = "homeplus.tiersprestations"
TOKEN_PATH = "/api/oauth/v1/token"
API_PATH = "/atp/v1/tiersPrestations"
# A token is renewed this long before URSSAF says it expires.
TOKEN_MARGIN_SECONDS = 60
MAX_SEARCH_IDS = 10


class UrssafError(Exception):
    """A call that did not get a usable answer."""


class UrssafUnavailable(UrssafError):
    """No answer, a server error or throttling, after the retries: try again later."""


class UrssafRefused(UrssafError):
    """URSSAF answered with coded errors (HTTP 400, or an item's `errors`)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors or [{"code": "ERR_UNKNOWN", "message": "", "description": ""}]
        first = self.errors[0]
        self.code = str(first.get("code", "ERR_UNKNOWN"))
        self.message = str(first.get("message") or first.get("description") or "")
        super().__init__(self.code)


class UrssafRejectedCredentials(UrssafError):
    """401/403: the credentials or their habilitation are wrong (configuration)."""


@dataclass(frozen=True)
class Credentials:
    base_url: str
    client_id: str
    client_secret: str


class UrssafClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout_seconds: float = 10.0,
        retries: int = 3,
        retry_base_seconds: float = 0.5,
        audit: bool = True,
    ) -> None:
        self.credentials = credentials
        self.retries = retries
        self.retry_base_seconds = retry_base_seconds
        self.audit = audit
        self._http = httpx.AsyncClient(
            base_url=credentials.base_url.rstrip("/"), timeout=timeout_seconds
        )
        self._token = ""
        self._token_until = 0.0
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"UrssafClient({self.credentials.base_url!r}, <credentials hidden>)"

    @property
    def configured(self) -> bool:
        c = self.credentials
        return bool(c.base_url and c.client_id and c.client_secret)

    async def aclose(self) -> None:
        await self._http.aclose()

    # The three operations of the contract.

    async def register_household(
        self, payload: dict[str, Any], client_id: int | None = None
    ) -> str:
        """POST /particulier: the household's URSSAF id, or UrssafRefused. `client_id`
        marks the audit rows as this household's."""
        answer = await self._call("particulier", f"{API_PATH}/particulier", payload, client_id)
        if not isinstance(answer, dict) or not answer.get("idClient"):
            raise UrssafRefused([{"code": "ERR_UNKNOWN", "message": "réponse sans idClient"}])
        return str(answer["idClient"])

    async def send_payment_requests(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST /demandePaiement with up to 10 requests: one answer per request, in order
        (`idDemandePaiement` and `statut`, or `errors`)."""
        answer = await self._call("demandePaiement", f"{API_PATH}/demandePaiement", payloads)
        if not isinstance(answer, list) or len(answer) != len(payloads):
            raise UrssafUnavailable("unexpected answer to demandePaiement")
        return [dict(item) for item in answer]

    async def search_payment_requests(
        self, ids: list[str] | None = None, period: tuple[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """POST /demandePaiement/rechercher by ids (at most 10) or by invoice period."""
        if ids:
            if len(ids) > MAX_SEARCH_IDS:
                raise ValueError("URSSAF reads at most 10 payment requests at once")
            body: dict[str, Any] = {"idDemandePaiements": ids}
        elif period:
            body = {"dateDebut": period[0], "dateFin": period[1]}
        else:
            raise ValueError("search by ids or by period")
        try:
            answer = await self._call("rechercher", f"{API_PATH}/demandePaiement/rechercher", body)
        except UrssafRefused as exc:
            if exc.code == "ERR_RECHERCHE_VIDE":
                return []
            raise
        found = answer.get("infoDemandePaiements", []) if isinstance(answer, dict) else []
        return [dict(item) for item in found]

    # Plumbing.

    async def _token_value(self) -> str:
        async with self._token_lock:
            if self._token and time.monotonic() < self._token_until:
                return self._token
            form = {
                "grant_type": "client_credentials",
                "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret,
                "scope": SCOPE,
            }
            response = await self._send("token", TOKEN_PATH, form=form)
            if response.status_code in (400, 401, 403):
                raise UrssafRejectedCredentials(f"token refused: HTTP {response.status_code}")
            body = response.json()
            self._token = str(body["access_token"])
            lifetime = float(body.get("expires_in", 3600))
            self._token_until = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS)
            return self._token

    async def _call(
        self, operation: str, path: str, body: Any, client_id: int | None = None
    ) -> Any:
        if not self.configured:
            raise UrssafUnavailable("URSSAF_URL, URSSAF_CLIENT_ID or URSSAF_CLIENT_SECRET unset")
        renewed = False
        while True:
            token = await self._token_value()
            response = await self._send(
                operation, path, json=body, token=token, client_id=client_id
            )
            if response.status_code == 401 and not renewed:
                self._token = ""  # expired or revoked early: one new token, once
                renewed = True
                continue
            break
        if response.status_code in (401, 403):
            raise UrssafRejectedCredentials(f"{operation}: HTTP {response.status_code}")
        if response.status_code in (400, 404, 422):
            raise UrssafRefused(_errors_of(response))
        if response.status_code >= 300:
            raise UrssafUnavailable(f"{operation}: HTTP {response.status_code}")
        return response.json()

    async def _send(
        self,
        operation: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        token: str = "",
        client_id: int | None = None,
    ) -> httpx.Response:
        """One request, retried while URSSAF does not answer or answers 5xx / 429."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(1, self.retries + 1):
            started = time.monotonic()
            try:
                response = await self._http.post(path, json=json, data=form, headers=headers)
            except httpx.HTTPError as exc:
                await self._audit(operation, path, json or form, None, started, exc, client_id)
                if attempt == self.retries:
                    raise UrssafUnavailable(f"{operation}: {type(exc).__name__}") from exc
            else:
                await self._audit(operation, path, json or form, response, started, None, client_id)
                if response.status_code < 500 and response.status_code != 429:
                    return response
                if attempt == self.retries:
                    raise UrssafUnavailable(f"{operation}: HTTP {response.status_code}")
            await asyncio.sleep(self.retry_base_seconds * 2 ** (attempt - 1))
        raise UrssafUnavailable(operation)  # pragma: no cover - the loop returns or raises

    async def _audit(
        self,
        operation: str,
        path: str,
        body: Any,
        response: httpx.Response | None,
        started: float,
        error: Exception | None,
        client_id: int | None,
    ) -> None:
        if not self.audit:
            return
        answer: Any = ""
        if response is not None:
            try:
                answer = response.json()
            except ValueError:
                answer = response.text
        try:
            await UrssafExchange.create(
                at=utcnow(),
                operation=operation,
                method="POST",
                path=path[:200],
                status=response.status_code if response is not None else None,
                duration_ms=int((time.monotonic() - started) * 1000),
                request_body=masked_text(body),
                response_body=masked_text(answer),
                error=type(error).__name__[:200] if error else "",
                client_id=client_id,
            )
        except Exception:  # the audit never stops the exchange itself
            log.exception("URSSAF audit row not written")


def _errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, list):
        return [dict(item) for item in body if isinstance(item, dict)]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            return [dict(item) for item in errors if isinstance(item, dict)]
        if "code" in body:
            return [dict(body)]
    return []
