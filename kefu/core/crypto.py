"""SEC-3: encryption of C2 data, keyed hashes for exact look-up, slow hashes for C3 secrets.

- C2 numbers (ID, card, phone) are stored with AES-256-GCM. The stored text starts with a
  short key id, so old keys can still decrypt after a rotation (KEFU_ENCRYPTION_KEYS lists
  the current key first).
- A keyed hash (HMAC-SHA256 with KEFU_LOOKUP_KEY) of the normalised number is stored beside
  it: exact look-up without decrypting, useless without the key.
- Card query and transaction passwords are peppered with the lookup key and hashed with
  argon2id, so a stolen database alone cannot be brute-forced over the 10^6 six-digit codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_NONCE = 12


class DecryptionError(Exception):
    pass


def _decode_key(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != 32:
        raise ValueError("Encryption keys must be 32 bytes, url-safe base64 encoded.")
    return raw


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> tuple[tuple[bytes, AESGCM], ...]:
    ring = []
    for text in keys:
        raw = _decode_key(text)
        ring.append((hashlib.sha256(raw).digest()[:4], AESGCM(raw)))
    return tuple(ring)


def _current_keyring():
    return _keyring(tuple(settings.KEFU_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    key_id, aes = _current_keyring()[0]
    nonce = os.urandom(_NONCE)
    sealed = aes.encrypt(nonce, plaintext.encode("utf-8"), key_id)
    return base64.urlsafe_b64encode(key_id + nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    blob = base64.urlsafe_b64decode(token.encode("ascii"))
    key_id, nonce, sealed = blob[:4], blob[4 : 4 + _NONCE], blob[4 + _NONCE :]
    for candidate_id, aes in _current_keyring():
        if candidate_id == key_id:
            return aes.decrypt(nonce, sealed, key_id).decode("utf-8")
    raise DecryptionError("No configured key can decrypt this value (unknown key id).")


def generate_key() -> str:
    """A new random key in the format KEFU_ENCRYPTION_KEYS and KEFU_LOOKUP_KEY expect."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


@lru_cache(maxsize=4)
def _lookup_key(text: str) -> bytes:
    return text.encode("utf-8")


def normalize_number(value: str) -> str:
    """The canonical form of an ID, card or phone number before hashing."""
    return "".join(value.split()).replace("-", "").upper()


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash of a number of the given kind ("mobile", "card", "document")."""
    key = _lookup_key(settings.KEFU_LOOKUP_KEY)
    message = f"{kind}:{normalize_number(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _password_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def _hasher() -> PasswordHasher:
    return _password_hasher(
        settings.KEFU_CARD_PASSWORD_TIME_COST, settings.KEFU_CARD_PASSWORD_MEMORY_KIB
    )


def _pepper(secret: str) -> str:
    key = _lookup_key(settings.KEFU_LOOKUP_KEY)
    return hmac.new(key, f"secret:{secret}".encode(), hashlib.sha256).hexdigest()


def hash_secret(secret: str) -> str:
    """Slow salted hash for a C3 secret (card query/transaction password, one-time code)."""
    return _hasher().hash(_pepper(secret))


def verify_secret(stored_hash: str, secret: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, _pepper(secret))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class EncryptedTextField(models.TextField):
    """A text column kept encrypted at rest; Python code sees the plaintext.

    Only ``isnull`` look-ups make sense on it: search through the keyed hash column instead.
    """

    description = "Text encrypted with AES-256-GCM"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(
                f"EncryptedTextField does not support '{lookup_name}' look-ups; "
                "use the keyed hash column."
            )
        return super().get_lookup(lookup_name)
