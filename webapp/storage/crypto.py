"""Personal data at rest: encrypted columns with Fernet keys from the settings, rotatable.

Fernet (``cryptography``) is AES-128-CBC with a random IV and an HMAC-SHA256 over the whole
token, so a changed or truncated value is refused rather than decrypted into garbage.
``MultiFernet`` gives key rotation: the first key encrypts, every key decrypts, and
:func:`webapp.storage.db.reencrypt` rewrites old values with the first key.

The keys belong to an engine: :func:`use_keys` binds them to the engine's dialect, and the column
types below look them up there when SQLAlchemy binds a parameter or reads a row. So the ORM (the
store, and any ``Session(engine)``) reads and writes plain Python values, while the database
holds only ciphertext. Lookups never need the plaintext: a draft is found by a keyed hash of
BSN and gemeente, a session by the hash of its token.
"""

from __future__ import annotations

import base64
import binascii
import json
import weakref
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

KEYS_VARIABLE = "VERHUIZEN_ENCRYPTION_KEYS"


class EncryptionKeyError(ValueError):
    """The keys are missing or malformed. The message never contains a key."""


class DecryptionError(Exception):
    """A stored value does not open with any of the keys: wrong keys, or the value was changed."""


class Cipher:
    """The keys of one database, newest first: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise EncryptionKeyError(f"geen sleutels voor de persoonsgegevens ({KEYS_VARIABLE})")
        fernets = []
        for number, key in enumerate(keys, 1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError, binascii.Error):
                raise EncryptionKeyError(
                    f"sleutel {number} van {KEYS_VARIABLE} is geen Fernet-sleutel (32 bytes, "
                    "url-safe base64, bijv. van Fernet.generate_key())"
                ) from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, data: bytes) -> bytes:
        """A Fernet token (url-safe base64) with the first key."""
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise DecryptionError(
                f"een opgeslagen waarde is met geen van de sleutels te openen: controleer "
                f"{KEYS_VARIABLE} (de huidige sleutel eerst, oude sleutels erachter)"
            ) from None

    def rotate(self, token: bytes) -> bytes:
        """The same plaintext, encrypted again with the first key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise DecryptionError(
                f"een opgeslagen waarde is met geen van de sleutels te openen ({KEYS_VARIABLE})"
            ) from None

    # The three stored forms. The migrations use these too, so old rows and new rows agree.

    def seal_text(self, value: str) -> str:
        return self.encrypt(value.encode()).decode("ascii")

    def open_text(self, stored: str) -> str:
        return self.decrypt(stored.encode("ascii")).decode()

    def seal_json(self, value: Any) -> str:
        return self.seal_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def open_json(self, stored: str) -> Any:
        return json.loads(self.open_text(stored))

    def seal_bytes(self, value: bytes) -> bytes:
        """Binary columns hold the token's raw bytes: a third smaller than its base64 text."""
        return base64.urlsafe_b64decode(self.encrypt(value))

    def open_bytes(self, stored: bytes) -> bytes:
        return self.decrypt(base64.urlsafe_b64encode(bytes(stored)))

    def rotate_text(self, stored: str) -> str:
        return self.rotate(stored.encode("ascii")).decode("ascii")

    def rotate_bytes(self, stored: bytes) -> bytes:
        return base64.urlsafe_b64decode(self.rotate(base64.urlsafe_b64encode(bytes(stored))))


_CIPHERS: weakref.WeakKeyDictionary[Dialect, Cipher] = weakref.WeakKeyDictionary()


def use_keys(engine: Engine, keys: Sequence[str | bytes]) -> Cipher:
    """Bind the keys to this engine: its encrypted columns use them from now on."""
    cipher = Cipher(keys)
    _CIPHERS[engine.dialect] = cipher
    return cipher


def has_keys(engine: Engine) -> bool:
    return engine.dialect in _CIPHERS


def cipher_for(dialect: Dialect) -> Cipher:
    try:
        return _CIPHERS[dialect]
    except KeyError:
        raise EncryptionKeyError(
            "deze database heeft geen sleutels voor de persoonsgegevens: geef ze mee aan "
            f"Store(..., keys=...) of migrate(..., keys=...) ({KEYS_VARIABLE})"
        ) from None


class EncryptedText(TypeDecorator[str]):
    """A string, stored as a Fernet token in a text column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else cipher_for(dialect).seal_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher_for(dialect).open_text(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (dict, list, ...), serialised and stored as a Fernet token in a text column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher_for(dialect).seal_json(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else cipher_for(dialect).open_json(value)


class EncryptedBytes(TypeDecorator[bytes]):
    """Bytes (an uploaded file), stored as the raw bytes of a Fernet token in a binary column."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else cipher_for(dialect).seal_bytes(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else cipher_for(dialect).open_bytes(value)


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON, EncryptedBytes)


# Stored values to try, one of each kind of table, newest first where there is a time.
_PROBES = (
    "SELECT answers FROM draft ORDER BY updated_at DESC LIMIT 1",
    "SELECT answers FROM submission ORDER BY created_at DESC LIMIT 1",
    "SELECT bsn FROM web_session ORDER BY last_seen DESC LIMIT 1",
)


def verify_keys(engine: Engine) -> None:
    """Raise DecryptionError when the keys bound to ``engine`` open none of the stored values
    (wrong keys: every login would fail, and new data would be written with them). Nothing
    stored yet: nothing to check."""
    from sqlalchemy import text

    cipher = cipher_for(engine.dialect)
    with engine.connect() as connection:
        for sql in _PROBES:
            stored = connection.execute(text(sql)).scalar()
            if stored is not None:
                cipher.open_text(stored if isinstance(stored, str) else stored.decode())
                return
