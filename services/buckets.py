"""Buckets of query cost points shared by every process: Redis when configured, else the database.

A token bucket: each caller's bucket holds at most `capacity` points and refills at `rate`
points a second. A request takes its estimated cost before it runs and gets back what it
did not use once its actual cost is known. Nothing is kept in process memory: several
processes behind a load balancer draw from the same buckets.

- Redis: one Lua script per call (atomic on the server), timed by the server's clock
  (`TIME`), so the application hosts' clocks need not agree.
- Database: one conditional UPDATE per granted request (atomic on PostgreSQL and SQLite
  alike), timed by the application's clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from models.persisted import CostBucket


@dataclass(frozen=True)
class Draw:
    """What a bucket answered to a draw of `wanted` points, and the points left after it."""

    granted: bool
    available: float
    capacity: float
    rate: float
    wanted: float = 0.0

    @property
    def retry_after_ms(self) -> int:
        """How long until the points wanted are there again (0 for a granted draw)."""
        missing = max(0.0, self.wanted - self.available)
        if self.granted or missing == 0:
            return 0
        return max(1, math.ceil(missing / self.rate * 1000)) if self.rate > 0 else 0


class Buckets(Protocol):
    async def take(self, key: str, cost: float, capacity: float, rate: float) -> Draw: ...

    async def give(self, key: str, points: float, capacity: float, rate: float) -> float: ...

    async def close(self) -> None: ...


# KEYS[1] bucket; ARGV capacity, rate, cost (negative: a refund, always granted).
# Returns {granted, tokens as text}: Lua numbers come back from Redis as integers.
_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local granted = 0
if cost <= tokens or cost < 0 then
  tokens = math.min(capacity, tokens - cost)
  granted = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
local full = rate > 0 and math.ceil((capacity - tokens) / rate) or 86400
redis.call('EXPIRE', KEYS[1], full + 60)
return {granted, tostring(tokens)}
"""


class RedisBuckets:
    def __init__(self, url: str, namespace: str) -> None:
        from redis.asyncio import Redis

        self.redis: Any = Redis.from_url(url)
        self.prefix = f"{namespace}:cost:"
        self.script = self.redis.register_script(_SCRIPT)

    async def _run(self, key: str, cost: float, capacity: float, rate: float) -> tuple[bool, float]:
        granted, tokens = await self.script(
            keys=[self.prefix + key], args=[repr(capacity), repr(rate), repr(cost)]
        )
        return bool(int(granted)), float(tokens)

    async def take(self, key: str, cost: float, capacity: float, rate: float) -> Draw:
        granted, tokens = await self._run(key, cost, capacity, rate)
        return Draw(granted, tokens, capacity, rate, cost)

    async def give(self, key: str, points: float, capacity: float, rate: float) -> float:
        return (await self._run(key, -points, capacity, rate))[1]

    async def close(self) -> None:
        await self.redis.aclose()


# The points a bucket holds now are its last level plus what refilled since, at most full:
# LEAST(capacity, tokens + GREATEST(0, now - updated_at) * rate). Parameters: key, capacity,
# now, rate, points. A draw is granted by the UPDATE whose WHERE finds the points there.
_TAKE = {
    "postgres": "UPDATE cost_bucket SET updated_at = $3::float8, tokens = "
    "LEAST($2::float8, tokens + GREATEST(0, $3::float8 - updated_at) * $4::float8) - $5::float8 "
    'WHERE "key" = $1 AND '
    "LEAST($2::float8, tokens + GREATEST(0, $3::float8 - updated_at) * $4::float8) >= $5::float8 "
    "RETURNING tokens",
    "sqlite": "UPDATE cost_bucket SET updated_at = ?3, tokens = "
    "MIN(?2, tokens + MAX(0, ?3 - updated_at) * ?4) - ?5 "
    'WHERE "key" = ?1 AND MIN(?2, tokens + MAX(0, ?3 - updated_at) * ?4) >= ?5 '
    "RETURNING tokens",
}
_GIVE = {
    "postgres": "UPDATE cost_bucket SET updated_at = $3::float8, tokens = LEAST($2::float8, "
    "tokens + GREATEST(0, $3::float8 - updated_at) * $4::float8 + $5::float8) "
    'WHERE "key" = $1 RETURNING tokens',
    "sqlite": "UPDATE cost_bucket SET updated_at = ?3, tokens = "
    "MIN(?2, tokens + MAX(0, ?3 - updated_at) * ?4 + ?5) "
    'WHERE "key" = ?1 RETURNING tokens',
}
_CREATE = {
    "postgres": 'INSERT INTO cost_bucket ("key", tokens, updated_at) VALUES ($1, $2, $3) '
    'ON CONFLICT ("key") DO NOTHING',
    "sqlite": 'INSERT INTO cost_bucket ("key", tokens, updated_at) VALUES (?1, ?2, ?3) '
    'ON CONFLICT ("key") DO NOTHING',
}


# A bucket left alone this long is full again (any sane allowance refills within a day):
# its row says nothing a missing row would not, and is deleted.
IDLE_SECONDS = 86_400
SWEEP_EVERY = 500  # new buckets created by a process between two deletions of idle ones


class DatabaseBuckets:
    """One row per bucket. A draw is granted by the UPDATE that finds enough points in it."""

    def __init__(self) -> None:
        self.created = 0

    async def _update(self, sql: dict[str, str], params: list[Any]) -> float | None:
        db = CostBucket._meta.db
        rows = await db.execute_query_dict(sql[db.capabilities.dialect], params)
        return float(rows[0]["tokens"]) if rows else None

    async def _level(self, key: str, capacity: float, rate: float, now: float) -> float | None:
        row = await CostBucket.get_or_none(key=key).values("tokens", "updated_at")
        if row is None:
            return None
        refill = max(0.0, now - float(row["updated_at"])) * rate
        return min(capacity, float(row["tokens"]) + refill)

    async def take(self, key: str, cost: float, capacity: float, rate: float) -> Draw:
        now = time.time()
        params = [key, capacity, now, rate, cost]
        left = await self._update(_TAKE, params)
        if left is None and await self._level(key, capacity, rate, now) is None:
            db = CostBucket._meta.db
            await db.execute_query(_CREATE[db.capabilities.dialect], [key, capacity, now])
            left = await self._update(_TAKE, params)
            self.created += 1
            if self.created % SWEEP_EVERY == 0:
                await CostBucket.filter(updated_at__lt=now - IDLE_SECONDS).delete()
        if left is not None:
            return Draw(True, left, capacity, rate, cost)
        level = await self._level(key, capacity, rate, now)
        return Draw(False, level or 0.0, capacity, rate, cost)

    async def give(self, key: str, points: float, capacity: float, rate: float) -> float:
        left = await self._update(_GIVE, [key, capacity, time.time(), rate, points])
        return capacity if left is None else left

    async def close(self) -> None:
        return None


def buckets_for(broadcast_url: str, namespace: str) -> Buckets:
    """Redis when the event bus is on Redis; the database otherwise (never process memory)."""
    if broadcast_url.startswith(("redis://", "rediss://")):
        return RedisBuckets(broadcast_url, namespace)
    return DatabaseBuckets()
