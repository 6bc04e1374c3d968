"""How a register that cannot answer says so."""

from __future__ import annotations


class RegisterOnbereikbaar(Exception):
    """The register could not answer now: a timeout, a refused connection, a 5xx, an answer that
    is not what the protocol promises. Trying again later may help. The message is for the
    operator's log and holds no personal data (no BSN, no address)."""
