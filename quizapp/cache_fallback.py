"""The shared cache (Redis) as a cache should be: when Redis is out of reach, every read is a miss and every
write is skipped, so pages are computed again instead of failing; the log says so (at most every
:data:`WARN_EVERY` seconds per process) until Redis is back. ``config.from_environment`` names this class as
``CACHE_TYPE`` when ``REDIS_URL`` is set."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask_caching.backends.rediscache import RedisCache
from redis import RedisError

log = logging.getLogger(__name__)
WARN_EVERY = 30.0


class FallbackRedisCache(RedisCache):
    _warned_at = 0.0

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - FallbackRedisCache._warned_at >= WARN_EVERY:
            FallbackRedisCache._warned_at = now
            log.warning("cache (Redis) unreachable, serving without it (%s: %s)", operation, error)

    def get(self, key: str) -> Any:
        try:
            return super().get(key)
        except RedisError as error:
            self._unreachable("get", error)
            return None

    def get_many(self, *keys: str) -> list[Any]:
        try:
            return super().get_many(*keys)
        except RedisError as error:
            self._unreachable("get_many", error)
            return [None] * len(keys)

    def has(self, key: str) -> bool:
        try:
            return super().has(key)
        except RedisError as error:
            self._unreachable("has", error)
            return False

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().set(key, value, timeout)
        except RedisError as error:
            self._unreachable("set", error)
            return False

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().add(key, value, timeout)
        except RedisError as error:
            self._unreachable("add", error)
            return False

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any:
        try:
            return super().set_many(mapping, timeout)
        except RedisError as error:
            self._unreachable("set_many", error)
            return []

    def delete(self, key: str) -> bool:
        try:
            return super().delete(key)
        except RedisError as error:
            self._unreachable("delete", error)
            return False

    def delete_many(self, *keys: str) -> Any:
        try:
            return super().delete_many(*keys)
        except RedisError as error:
            self._unreachable("delete_many", error)
            return []

    def inc(self, key: str, delta: int = 1) -> Any:
        try:
            return super().inc(key, delta)
        except RedisError as error:
            self._unreachable("inc", error)
            return None

    def dec(self, key: str, delta: int = 1) -> Any:
        try:
            return super().dec(key, delta)
        except RedisError as error:
            self._unreachable("dec", error)
            return None
