"""Text messages through a small gateway interface, chosen by `SMS_URL`.

The outbox calls `send` and retries whatever raises, so a gateway only has to
say whether the provider took the message. Phone numbers and texts are personal
data: gateways never write them, or the provider's token, to the log.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from services.config import SMS_SCHEMES

log = logging.getLogger("passage.sms")

# Two concatenated SMS segments of the GSM alphabet (2 x 160): longer notices cost more and
# some providers refuse them.
MAX_LENGTH = 320
SENDER = "Passage"
TIMEOUT_SECONDS = 10.0


class SmsError(Exception):
    """The provider did not take the message. The text is safe to store and log."""


class SmsGateway(Protocol):
    async def send(self, to: str, text: str) -> None:
        """Raises when the message was not accepted (the outbox retries it)."""

    async def aclose(self) -> None:
        """Releases connections, when the delivery loop stops."""


def sms_text(body: str) -> str:
    """Plain text of at most MAX_LENGTH characters, cut between words where possible."""
    text = "".join(
        char if char == "\n" or unicodedata.category(char) != "Cc" else " " for char in body
    ).strip()
    if len(text) <= MAX_LENGTH:
        return text
    cut = MAX_LENGTH - 1  # room for the ellipsis
    space = text.rfind(" ", 0, cut + 1)
    if space >= cut - 30:
        cut = space
    # Never leave an accent without its letter (decomposed text).
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


def masked(phone: str) -> str:
    return "…" + phone[-2:]


class ConsoleSms:
    """Development: a line in the log saying a message went out, without who or what."""

    async def send(self, to: str, text: str) -> None:
        log.info("sms to=%s length=%s", masked(to), len(text))

    async def aclose(self) -> None:
        return None


class HttpSms:
    """Adapter for an HTTP provider: POST {"to", "text", "sender"} as JSON.

    `?token=` in the URL is sent as `Authorization: Bearer` and removed from the
    address, so it never shows in the provider's access log or ours.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("SMS_URL must be http(s)://host[:port]/path[?token=…]")
        query = parse_qsl(parts.query, keep_blank_values=True)
        tokens = [value for name, value in query if name == "token"]
        rest = urlencode([(name, value) for name, value in query if name != "token"])
        self._url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", rest, ""))
        self._headers = {"Authorization": f"Bearer {tokens[-1]}"} if tokens else {}
        self.host = parts.hostname
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"HttpSms(host={self.host!r})"

    async def send(self, to: str, text: str) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        response = await self._client.post(
            self._url,
            json={"to": to, "text": text, "sender": SENDER},
            headers=self._headers,
        )
        if not response.is_success:
            raise SmsError(f"HTTP {response.status_code}")

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def gateway_for(url: str) -> SmsGateway:
    scheme = urlsplit(url).scheme
    if scheme == "console":
        return ConsoleSms()
    if scheme in {"http", "https"}:
        return HttpSms(url)
    raise ValueError(
        f"SMS_URL scheme {scheme!r} is not supported ({', '.join(sorted(SMS_SCHEMES))})"
    )
