"""Rate limits per client on what costs the most or invites guessing: logging in, the address
lookup, uploads and submitting. The ``limits`` library counts in a moving window; its storage is
in memory by default, or shared by every worker (``VERHUIZEN_RATE_LIMIT_OPSLAG``, for example
``async+redis://redis:6379``).

The client is the peer address as the ASGI server reports it. Behind a proxy, run uvicorn with
``--proxy-headers --forwarded-allow-ips <proxy>`` so that is the resident's address.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.requests import Request

log = logging.getLogger("verhuizen")

LIMITS: dict[str, str] = {
    "login": "20/minute",
    "lookup": "60/minute",
    "upload": "20/minute",
    "submit": "10/minute",
}
"""Per client: generous for a person (a household moving shares one address), tight for a
script."""


@dataclass
class RateLimits:
    storage_uri: str = "async+memory://"
    overrides: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        storage = storage_from_string(self.storage_uri)
        self.limiter = MovingWindowRateLimiter(storage)
        wanted = {**LIMITS, **dict(self.overrides)}
        self.items: dict[str, RateLimitItem] = {k: parse(v) for k, v in wanted.items()}

    async def hit(self, request: Request, what: str) -> None:
        """Count one ``what`` for this client; over the limit: 429 with Retry-After.

        A shared store that cannot be reached lets the request through (with a warning in the
        log): the limits protect the service, they must not take it down."""
        item = self.items[what]
        client = client_key(request.client.host if request.client else "")
        try:
            if await self.limiter.hit(item, what, client):
                return
            stats = await self.limiter.get_window_stats(item, what, client)
        except Exception as exc:
            log.warning(
                "rate limit store unavailable",
                extra={"event": "rate_limit_store_unavailable", "error": type(exc).__name__},
            )
            return
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise HTTPException(429, detail=str(wait), headers={"Retry-After": str(wait)})


def client_key(host: str) -> str:
    """The address a limit counts for: IPv4 as it is, IPv6 by its /64 (one household's or one
    server's network: a client picks new addresses inside it at will)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "onbekend"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
