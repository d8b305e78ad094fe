"""A fixed-window request counter in the cache (Redis in production).

Hand-written because the limits here are not django-axes' (which counts
failed logins per username and address, and lets one address spray many
usernames): a count of anything per client address, within a window. The
key holds a hash of the address, not the address.
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, address: str) -> str:
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def count(scope: str, address: str, *, window_seconds: int) -> int:
    """Count one more for ``address`` in ``scope``; the number within the current window."""
    key = _key(scope, address)
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window_seconds)
        return 1


def current(scope: str, address: str) -> int:
    """The count within the current window, without counting."""
    return cache.get(_key(scope, address), 0)
