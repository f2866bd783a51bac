"""The secrets in the addresses of private feeds: made at random, stored hashed."""

import hashlib
import secrets

# 32 random bytes, 43 URL-safe characters: not guessable, not enumerable.
SECRET_BYTES = 32
# The longest secret looked up; anything longer names no feed.
MAX_LENGTH = 64


def new_secret() -> str:
    """Return a new secret for a private feed's address."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """Return what the database keeps of `secret`: its SHA-256, in hex.

    A copy of the database then opens no private feed.
    """
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def looks_right(secret: str | None) -> bool:
    """Tell whether `secret` could be one of ours, before looking it up."""
    return bool(secret) and len(secret or "") <= MAX_LENGTH
