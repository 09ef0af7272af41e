"""Encryption at rest (Fernet, with key rotation) and keyed blind indexes for exact-match search.

Keys come from the environment (docs/configuration.md). The first encryption key encrypts; every
key decrypts, so a new key can be put first and `manage.py rotate_encryption_key` re-encrypts.
"""

import base64
import functools
import hashlib
import hmac

from django.conf import settings

from cryptography.fernet import Fernet, MultiFernet


def _derived(purpose: str) -> str:
    """A development/test key derived from the secret key; production settings require real keys."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{purpose}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _fernet() -> MultiFernet:
    keys = tuple(k.strip() for k in settings.DOORSTROOM_ENCRYPTION_KEYS if k.strip()) or (_derived("encryption"),)
    return _fernet_of(keys)


@functools.lru_cache(maxsize=8)
def _fernet_of(keys: tuple[str, ...]) -> MultiFernet:
    """One MultiFernet per set of keys (a page of a hundred people decrypted each value with keys
    decoded anew); a rotated key list is another set, so it takes effect at once."""
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same plaintext, encrypted with the current primary key."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """HMAC of a normalised value: equal values give equal indexes, the value itself is not stored."""
    key = (settings.DOORSTROOM_BLIND_INDEX_KEY or _derived("blind-index")).encode()
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()
