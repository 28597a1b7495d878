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
import binascii
import hashlib
import hmac
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from kefu.core.validators import normalize_mobile

_KEY_ID = 4
_NONCE = 12
_TAG = 16


class DecryptionError(Exception):
    """A stored value cannot be decrypted: its key is not configured, or it was altered."""


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "KEFU_ENCRYPTION_KEYS: every key must be 32 random bytes, url-safe base64 "
            "encoded; generate one with `kefu genkey`."
        )
    return raw


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> tuple[tuple[bytes, AESGCM], ...]:
    if not keys:
        raise ImproperlyConfigured(
            "KEFU_ENCRYPTION_KEYS is empty: set at least one key (generate one with `kefu genkey`)."
        )
    ring = []
    for text in keys:
        raw = _decode_key(text)
        ring.append((hashlib.sha256(raw).digest()[:_KEY_ID], AESGCM(raw)))
    return tuple(ring)


def _current_keyring() -> tuple[tuple[bytes, AESGCM], ...]:
    # Keyed by the key tuple, so a changed setting (rotation, tests) takes effect at once.
    return _keyring(tuple(settings.KEFU_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """AES-256-GCM with a random nonce under the first configured key.

    The stored text is base64(key id + nonce + ciphertext and tag); the key id is also the
    associated data, so a value cannot be moved under another key id unnoticed.
    """
    key_id, aes = _current_keyring()[0]
    nonce = os.urandom(_NONCE)
    sealed = aes.encrypt(nonce, plaintext.encode("utf-8"), key_id)
    return base64.urlsafe_b64encode(key_id + nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of a value made by encrypt(); DecryptionError if no configured key
    opens it (unknown key id, altered or truncated value, not an encrypted value)."""
    try:
        blob = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError, AttributeError):
        raise DecryptionError("This value is not an encrypted value (bad encoding).") from None
    if len(blob) < _KEY_ID + _NONCE + _TAG:
        raise DecryptionError("This value is not an encrypted value (too short).")
    key_id, nonce, sealed = (
        blob[:_KEY_ID],
        blob[_KEY_ID : _KEY_ID + _NONCE],
        blob[_KEY_ID + _NONCE :],
    )
    known = False
    for candidate_id, aes in _current_keyring():
        if candidate_id != key_id:
            continue
        known = True
        try:
            return aes.decrypt(nonce, sealed, key_id).decode("utf-8")
        except InvalidTag:
            continue  # a (very unlikely) key id collision: try the next key with this id
    if known:
        raise DecryptionError("This value was altered or damaged: its authentication failed.")
    raise DecryptionError(
        "No configured key can decrypt this value (unknown key id): "
        "add its key to KEFU_ENCRYPTION_KEYS."
    )


def generate_key() -> str:
    """A new random key in the format KEFU_ENCRYPTION_KEYS and KEFU_LOOKUP_KEY expect."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


@lru_cache(maxsize=4)
def _lookup_key(text: str) -> bytes:
    if not text:
        raise ImproperlyConfigured(
            "KEFU_LOOKUP_KEY is empty: set it (generate one with `kefu genkey`)."
        )
    # The key text itself is the HMAC key: changing this would change every stored hash.
    return text.encode("utf-8")


def normalize_number(value: str) -> str:
    """The canonical form of an ID, card or phone number before hashing: full-width
    characters folded to ASCII, spaces and dashes removed, letters upper-case."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace("-", "").upper()


_CANONICAL = re.compile(r"[0-9A-Z]+")


def lookup_hasher(kind: str) -> Callable[[str], str]:
    """lookup_hash for many values of one kind (an import of a million rows): the key is
    read once, and a value that is already canonical (ASCII digits and upper-case letters,
    a mobile without country prefix) skips the normalisation. Same hashes as lookup_hash."""
    base = hmac.new(_lookup_key(settings.KEFU_LOOKUP_KEY), digestmod=hashlib.sha256)
    prefix = f"{kind}:".encode()

    def hashed(value: str) -> str:
        if not _CANONICAL.fullmatch(value) or (kind == "mobile" and len(value) != 11):
            return lookup_hash(kind, value)
        h = base.copy()
        h.update(prefix + value.encode())
        return h.hexdigest()

    return hashed


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash of a number of the given kind ("mobile", "card", "document").

    The kind is part of the hashed message, so equal digits of different kinds do not
    match; mobiles lose a +86 / 0086 prefix first, as searches do.
    """
    key = _lookup_key(settings.KEFU_LOOKUP_KEY)
    number = normalize_number(value)
    if kind == "mobile":
        number = normalize_mobile(number)
    message = f"{kind}:{number}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _password_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1, type=Type.ID)


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


# At most one slow hash per CPU at a time in a process (argon2 releases the GIL, so threads
# run them side by side): more would only share the cores, each with its 64 MiB, and make
# every check and the process's other work slower. The others wait their turn.
def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_SLOW_HASH_SLOTS = threading.BoundedSemaphore(_cpus())


def secret_needs_rehash(stored_hash: str) -> bool:
    """True if ``stored_hash`` was made with other argon2 parameters than the current ones
    (the settings changed since): hash the secret again the next time it is verified."""
    if not stored_hash:
        return False
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return False


def verify_secret(stored_hash: str, secret: str) -> bool:
    """True if ``secret`` matches ``stored_hash``; False for a wrong secret, an empty or
    malformed hash (a card without a password set)."""
    if not stored_hash:
        return False
    try:
        with _SLOW_HASH_SLOTS:
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
        # Each write uses a fresh nonce, so no comparison on the stored text can match.
        if lookup_name != "isnull":
            model = getattr(self, "model", None)
            where = f"{model.__name__}.{self.name}" if model is not None else "this field"
            raise TypeError(
                f"EncryptedTextField does not support '{lookup_name}' look-ups: {where} is "
                "stored encrypted. Filter on its keyed hash column with "
                "kefu.core.crypto.lookup_hash() instead."
            )
        return super().get_lookup(lookup_name)
