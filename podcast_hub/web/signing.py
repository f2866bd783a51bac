"""Signers that derive their key from the secret once per process.

itsdangerous derives a signer's key from the secret key (an HMAC) at every
signature and every check, and Flask makes a new session serializer, with new
signers, for each request. What the derivation gives depends only on the
secret, the salt and the method: it is kept here, for every signer alike.
"""

from itsdangerous import Signer, TimestampSigner

_derived: dict[tuple[object, ...], bytes] = {}


class KeptKeys(Signer):
    """A Signer whose derived keys are kept for the life of the process."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        found = (
            secret_key if secret_key is not None else self.secret_keys[-1],
            self.salt,
            self.key_derivation,
            self.digest_method,
        )
        key = _derived.get(found)
        if key is None:
            # A process signs with a handful of secrets (the key and its
            # fallbacks) and salts: this stays small.
            key = _derived[found] = super().derive_key(secret_key)
        return key


class KeptKeysTimestamps(KeptKeys, TimestampSigner):
    """A TimestampSigner (Flask's sessions) whose derived keys are kept."""
