"""The token itself: random, shown once, stored only as a keyed hash (HMAC-SHA256)."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "kab1_"  # recognisable in logs and secret scanners; the 1 is the token format's version


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _key() -> bytes:
    if settings.API_TOKEN_KEY:
        return settings.API_TOKEN_KEY.encode()
    return salted_hmac("kabinet.api.token-key", "v1", algorithm="sha256").digest()


def token_hash(token: str) -> str:
    return hmac.new(_key(), token.encode(), hashlib.sha256).hexdigest()


def auth_mark(user) -> str:
    """A digest of the user's session hash: it changes with the password and the sessions' generation."""
    return hashlib.sha256(user.get_session_auth_hash().encode()).hexdigest()
