"""SEC-3 storage: AES-GCM encryption with key rotation, keyed look-up hashes, slow hashes."""

from __future__ import annotations

import base64

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kefu.core.crypto import (
    DecryptionError,
    decrypt,
    encrypt,
    generate_key,
    hash_secret,
    lookup_hash,
    normalize_number,
    verify_secret,
)
from kefu.customers.models import Card, Customer, IdentityDocument
from tests.factories import CardFactory, CustomerFactory, IdentityDocumentFactory

OLD_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


def key_id_of(token: str) -> bytes:
    return base64.urlsafe_b64decode(token)[:4]


# --- encryption ------------------------------------------------------------------------------


@given(plaintext=st.text(max_size=200))
def test_it_decrypts_what_it_encrypted(plaintext):
    assert decrypt(encrypt(plaintext)) == plaintext


def test_ciphertext_differs_each_time_and_hides_the_plaintext():
    tokens = {encrypt("6288880000000013") for _ in range(20)}

    assert len(tokens) == 20
    for token in tokens:
        assert "6288880000000013" not in token
        assert b"6288880000000013" not in base64.urlsafe_b64decode(token)


def test_a_value_encrypted_with_an_old_key_still_decrypts_after_rotation(settings):
    # given a value written under the old key
    settings.KEFU_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = encrypt("13911110001")

    # when a new key is put first
    settings.KEFU_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new_token = encrypt("13911110001")

    # then old values still decrypt, and new writes use the new key
    assert decrypt(old_token) == "13911110001"
    assert decrypt(new_token) == "13911110001"
    assert key_id_of(new_token) != key_id_of(old_token)
    settings.KEFU_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt(new_token) == "13911110001"
    with pytest.raises(DecryptionError, match="unknown key id"):
        decrypt(old_token)


def test_an_unknown_key_raises_decryption_error(settings):
    settings.KEFU_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt("110105197803150315")
    settings.KEFU_ENCRYPTION_KEYS = [generate_key()]

    with pytest.raises(DecryptionError) as excinfo:
        decrypt(token)

    assert str(excinfo.value) == (
        "No configured key can decrypt this value (unknown key id): "
        "add its key to KEFU_ENCRYPTION_KEYS."
    )


@pytest.mark.parametrize(
    "token",
    ["", "not base64 at all!", "aGVsbG8=", "１２３", base64.urlsafe_b64encode(b"x" * 40).decode()],
)
def test_a_value_that_is_not_a_ciphertext_raises_decryption_error(token):
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_an_altered_ciphertext_raises_decryption_error():
    blob = bytearray(base64.urlsafe_b64decode(encrypt("13911110001")))
    blob[-1] ^= 0x01

    with pytest.raises(DecryptionError, match="altered"):
        decrypt(base64.urlsafe_b64encode(bytes(blob)).decode())


def test_a_missing_or_malformed_key_is_a_configuration_error(settings):
    settings.KEFU_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="KEFU_ENCRYPTION_KEYS is empty"):
        encrypt("x")

    settings.KEFU_ENCRYPTION_KEYS = ["c2hvcnQ="]
    with pytest.raises(ImproperlyConfigured, match="32 random bytes"):
        encrypt("x")


def test_generated_keys_are_32_random_bytes():
    first, second = generate_key(), generate_key()

    assert len(base64.urlsafe_b64decode(first)) == 32
    assert first != second


# --- keyed look-up hashes --------------------------------------------------------------------


def test_lookup_hash_is_stable_and_keyed():
    first = lookup_hash("card", "6288880000000013")

    assert first == lookup_hash("card", "6288880000000013")
    assert len(first) == 64
    assert "6288880000000013" not in first


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("card", "6288880000000013", "6288 8800 0000 0013"),
        ("card", "6288880000000013", "6288-8800-0000-0013"),
        ("document", "11010519491231002X", "110105 19491231 002x"),
        ("document", "E12345678", "e12345678"),
        ("document", "110105197803150315", "１１０１０５１９７８０３１５０３１５"),
        ("mobile", "13911110001", "+86 139 1111 0001"),
        ("mobile", "13911110001", "0086-139-1111-0001"),
    ],
)
def test_lookup_hash_normalises_spaces_case_and_prefixes(kind, a, b):
    assert lookup_hash(kind, a) == lookup_hash(kind, b)


def test_lookup_hash_differs_per_kind_and_per_number():
    digits = "110105197803150315"

    assert lookup_hash("card", digits) != lookup_hash("document", digits)
    assert lookup_hash("mobile", "13911110001") != lookup_hash("document", "13911110001")
    assert lookup_hash("mobile", "13911110001") != lookup_hash("mobile", "13911110002")


def test_lookup_hash_differs_per_key(settings):
    before = lookup_hash("mobile", "13911110001")
    settings.KEFU_LOOKUP_KEY = generate_key()

    assert lookup_hash("mobile", "13911110001") != before


def test_normalize_number_folds_full_width_spaces_and_case():
    assert normalize_number(" 110105 1949-1231 002ｘ ") == "11010519491231002X"


# --- what the database holds -----------------------------------------------------------------


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        # table and column names are constants of this module, not input
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_database_holds_no_plaintext_numbers():
    # given a customer with a mobile, a card and a resident ID
    customer = CustomerFactory(mobile="13911110001")
    card = CardFactory(account__customer=customer, number="6288880000000013")
    document = IdentityDocumentFactory(customer=customer, number="110105197803150315")

    # when the raw columns are read past the ORM
    mobile = raw_column(Customer._meta.db_table, "mobile", customer.pk)
    number = raw_column(Card._meta.db_table, "number", card.pk)
    doc_number = raw_column(IdentityDocument._meta.db_table, "number", document.pk)

    # then they hold ciphertext only, which decrypts to the numbers
    for raw, plain in [
        (mobile, "13911110001"),
        (number, "6288880000000013"),
        (doc_number, "110105197803150315"),
    ]:
        assert plain not in raw
        assert plain[-8:] not in raw
        assert decrypt(raw) == plain
    assert raw_column(Customer._meta.db_table, "mobile_hash", customer.pk) == lookup_hash(
        "mobile", "13911110001"
    )


@pytest.mark.django_db
def test_models_read_back_plaintext_and_find_numbers_by_hash():
    customer = CustomerFactory()
    customer.set_mobile("+86 139 2222 0002")
    customer.save()

    found = Customer.objects.with_mobile("13922220002").get()

    assert found == customer
    assert Customer.objects.get(pk=customer.pk).mobile == "+86 139 2222 0002"


@pytest.mark.django_db
def test_rows_written_before_a_key_rotation_still_read_and_are_rewritten_with_the_new_key(
    settings,
):
    settings.KEFU_ENCRYPTION_KEYS = [OLD_KEY]
    customer = CustomerFactory(mobile="13911110001")
    settings.KEFU_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    reloaded = Customer.objects.get(pk=customer.pk)
    reloaded.save(update_fields=["mobile"])

    settings.KEFU_ENCRYPTION_KEYS = [NEW_KEY]
    assert Customer.objects.get(pk=customer.pk).mobile == "13911110001"


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["", "__exact", "__iexact", "__icontains", "__startswith"])
def test_encrypted_fields_refuse_lookups_on_their_ciphertext(lookup):
    with pytest.raises(TypeError) as excinfo:
        Customer.objects.filter(**{f"mobile{lookup}": "13911110001"})

    name = lookup.removeprefix("__") or "exact"
    assert str(excinfo.value) == (
        f"EncryptedTextField does not support '{name}' look-ups: Customer.mobile is stored "
        "encrypted. Filter on its keyed hash column with kefu.core.crypto.lookup_hash() instead."
    )


@pytest.mark.django_db
def test_encrypted_fields_allow_isnull():
    CustomerFactory()

    assert Customer.objects.filter(mobile__isnull=True).count() == 0
    assert Customer.objects.filter(mobile__isnull=False).count() == 1


# --- slow hashes for C3 secrets --------------------------------------------------------------


def test_hash_secret_uses_peppered_argon2id():
    stored = hash_secret("204816")

    assert stored.startswith("$argon2id$")
    assert "204816" not in stored
    assert verify_secret(stored, "204816") is True
    # the pepper (the look-up key) is part of the input: the bare code does not verify
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, "204816")


@hypothesis_settings(max_examples=25, deadline=None)
@given(secret=st.from_regex(r"\A[0-9]{6}\Z"), other=st.from_regex(r"\A[0-9]{6}\Z"))
def test_a_hash_never_contains_its_secret_and_only_the_secret_verifies(secret, other):
    stored = hash_secret(secret)

    assert secret not in stored
    assert verify_secret(stored, secret) is True
    assert verify_secret(stored, other) is (other == secret)


def test_the_same_secret_hashes_differently_each_time():
    assert hash_secret("204816") != hash_secret("204816")


@pytest.mark.parametrize("stored", ["", None, "not-a-hash", "$argon2id$v=19$broken"])
def test_an_empty_or_malformed_hash_never_verifies(stored):
    assert verify_secret(stored, "204816") is False


def test_a_changed_lookup_key_invalidates_secrets(settings):
    stored = hash_secret("204816")
    settings.KEFU_LOOKUP_KEY = generate_key()

    assert verify_secret(stored, "204816") is False


def test_secret_needs_rehash_only_for_other_parameters(settings):
    from kefu.core.crypto import hash_secret, secret_needs_rehash

    current = hash_secret("135790")
    assert not secret_needs_rehash(current)
    assert not secret_needs_rehash("")
    assert not secret_needs_rehash("not-a-hash")
    settings.KEFU_CARD_PASSWORD_MEMORY_KIB = 16
    assert secret_needs_rehash(current)
