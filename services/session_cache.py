"""The session rows signed-in requests start with, kept for a moment in the process
(and, in caches of their own, the rows of partners' API keys and agencies' rule settings,
resolvers/agency/policy.py, kept the same way).

Every signed-in request reads its session and account by the token's hash. On
PostgreSQL that one statement was 0.27 ms of the 0.42 ms of CPU a signed-in
`{ __typename }` costs in process (docs/benchmarks.md). Front ends send documents in
bursts: the dashboard's first load, a page and the next, a household opening a visit.
So a row read is kept for `SESSION_CACHE_SECONDS` (1 s by default; 0 turns it off),
keyed by the token's hash, never the token. A cached row is checked exactly as a fresh
one: revoked, expired, idle, account not active.

What keeps it true:

- a revocation (sign-out, password change, erasure, a key revoked) evicts the session or
  key here before the mutation answers, and in every other process as soon as the bus
  delivers it (`SESSIONS_CHANNEL`, the message that also closes its websockets);
- a change to what a viewer carries about its account (e-mail verified, status) evicts
  the account's sessions the same way (`ACCOUNTS_CHANNEL`);
- anything else (a row changed by hand, a message lost while Redis restarts) is seen
  within `SESSION_CACHE_SECONDS`.

Only rows that exist are kept: a token nobody holds is read from the database every
time, so guessing tokens cannot fill the cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from cachetools import TTLCache

Row = dict[str, Any]


class SessionCache:
    def __init__(self, seconds: float, size: int) -> None:
        self._rows: TTLCache[str, Row] | None = (
            TTLCache(maxsize=size, ttl=seconds) if seconds > 0 and size > 0 else None
        )
        # Counts evictions: a row read while one happened may predate it (a sign-out that
        # committed during the read), so it answers its request but is not kept.
        self._evictions = 0

    @property
    def enabled(self) -> bool:
        return self._rows is not None

    def __len__(self) -> int:
        return 0 if self._rows is None else len(self._rows)

    def get(self, token_hash: str) -> Row | None:
        rows = self._rows
        if rows is None:
            return None
        try:  # one look-up (a hit is the rule); `get` would make two
            return rows[token_hash]
        except KeyError:
            return None

    def put(self, token_hash: str, row: Row) -> None:
        if self._rows is not None:
            self._rows[token_hash] = row

    async def read(self, token_hash: str, load: Callable[[], Awaitable[list[Row]]]) -> Row | None:
        """The row kept for `token_hash`, else the first `load()` gives (kept if any)."""
        row = self.get(token_hash)
        if row is None:
            evictions = self._evictions
            rows = await load()
            row = rows[0] if rows else None
            if row is not None and evictions == self._evictions:
                self.put(token_hash, row)
        return row

    def forget(self, ids: Iterable[int]) -> None:
        """Evicts the rows (sessions, or keys) with these ids."""
        self._forget("id", set(ids))

    def forget_accounts(self, account_ids: Iterable[int]) -> None:
        self._forget("account_id", set(account_ids))

    def clear(self) -> None:
        self._evictions += 1
        if self._rows is not None:
            self._rows.clear()

    def _forget(self, column: str, values: set[int]) -> None:
        # A scan: evictions are rare (a sign-out, an e-mail verified) and the cache holds
        # only the sessions of the last few seconds.
        self._evictions += 1
        if self._rows is None or not values:
            return
        for token_hash, row in list(self._rows.items()):
            if row[column] in values:
                self._rows.pop(token_hash, None)
