"""Encrypted bundles: the whole plain bundle (its ZIP bytes) sealed so that a lost file tells a
finder nothing, and so that any change to it is noticed.

Why: a bundle holds a patient's name, cause and notes, and travels by e-mail or on a USB
stick. Two ways to seal it (libsodium through PyNaCl, authenticated encryption both):

- for a paired therapist (`ForTherapist`): `SealedBox` to the public key of their computer
  (`records.keyring`); their app opens it with its own private key without asking anything;
- with a passphrase (`WithPassphrase`): a key derived by Argon2id from the passphrase and a
  random salt, then `SecretBox`; whoever imports it is asked for the passphrase.

The file: a small fixed header, then the ciphertext.

    magic  "FCBUNDLE-ENC"   12 bytes: an encrypted bundle (a plain one is a ZIP: "PK…")
    version                  1 byte:  how the rest is laid out (ENCRYPTION_VERSION)
    kind                     1 byte:  1 for a therapist, 2 for a passphrase
    for a therapist:         8 bytes: recipient check (see `_recipient_check`)
    for a passphrase:       16 bytes: Argon2id salt
    ciphertext               SealedBox (one-time public key, MAC, text) or SecretBox (nonce, MAC, text)

The plaintext is the header's first 14 bytes (magic, version, kind) followed by the plain
bundle: opening checks they match the header, so a changed header is noticed even where it
would still open. Plain bundles (a ZIP) are read as they always were; the bundle's own checks
(checksums, `bundle_model`) run on the opened ZIP, unchanged, in `records.bundle`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

import nacl.exceptions
import nacl.public
import nacl.pwhash.argon2id
import nacl.secret
import nacl.utils

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.records.bundle_model import BundleError

MAGIC = b"FCBUNDLE-ENC"
#: the layout after the magic; a file with a higher number is from a newer app
ENCRYPTION_VERSION = 1
#: magic, version and kind: the part of the header repeated inside the ciphertext
_FIXED = len(MAGIC) + 2
#: the recipient check's length: a wrong computer is told from a damaged file with odds of 2^64 to 1
RECIPIENT_CHECK_BYTES = 8
#: BLAKE2b's personalisation for the recipient check, so it is never confused with another use of the key
_RECIPIENT_PERSON = b"fcbundle-recip"
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
#: Argon2id's cost: libsodium's INTERACTIVE limits (2 passes over 64 MiB, about 0.1 s here).
#: Why not MODERATE or SENSITIVE (256 MiB / 1 GiB, seconds each): a person waits at every
#: export and import, the tests run many, and an old laptop must not run out of memory. A
#: finder with the file can guess offline for as long as they like, so the passphrase's
#: length (MIN_PASSPHRASE_CHARS) does more than the cost. Fixed by ENCRYPTION_VERSION: a
#: later version may raise them; it is never read from the file (a forged file could ask
#: for all the memory there is).
OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
#: the shortest passphrase accepted for an export: shorter ones are guessed within hours offline
MIN_PASSPHRASE_CHARS = 8


class Kind(IntEnum):
    """How a bundle was encrypted (the header's kind byte)."""

    FOR_THERAPIST = 1
    PASSPHRASE = 2


#: what follows the fixed header, by kind
_DETAIL_BYTES = {Kind.FOR_THERAPIST: RECIPIENT_CHECK_BYTES, Kind.PASSPHRASE: SALT_BYTES}
#: the shortest ciphertext of each kind (an empty plaintext): a shorter file is cut short
_OVERHEAD = {
    Kind.FOR_THERAPIST: nacl.public.PublicKey.SIZE + nacl.secret.SecretBox.MACBYTES,
    Kind.PASSPHRASE: nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES,
}


# ----- how to encrypt, and what may open -------------------------------------------------
@dataclass(frozen=True)
class NotEncrypted:
    """A plain bundle (a ZIP), as every earlier version wrote."""


@dataclass(frozen=True)
class ForTherapist:
    """Encrypted to a paired therapist's computer (`records.keyring.PairedTherapist`)."""

    name: str
    public_key: bytes


@dataclass(frozen=True)
class WithPassphrase:
    """Encrypted with a passphrase (never shown in a repr or a log)."""

    passphrase: str = field(repr=False)


Encryption = NotEncrypted | ForTherapist | WithPassphrase
NOT_ENCRYPTED = NotEncrypted()


def _none() -> None:
    return None


@dataclass(frozen=True)
class BundleKeys:
    """What may open an encrypted bundle, each asked for only when the file needs it:
    `own_key`, this computer's private key (None: it has none); `passphrase`, the passphrase
    (from a file, an environment variable, a dialog; None: the person gave none)."""

    own_key: Callable[[], nacl.public.PrivateKey | None] = _none
    passphrase: Callable[[], str | None] = _none


NO_KEYS = BundleKeys()


class PassphraseNeededError(BundleError):
    """The bundle is encrypted with a passphrase and none was given (a dialog was cancelled)."""


class WrongPassphraseError(BundleError):
    """The passphrase does not open the bundle (or the file was changed): nothing imported."""


class NotForThisComputerError(BundleError):
    """The bundle was encrypted for another therapist's computer: nothing imported."""


# ----- the header ------------------------------------------------------------------------
@dataclass(frozen=True)
class Header:
    """An encrypted bundle's header: its version, kind, and the salt or recipient check."""

    version: int
    kind: Kind
    detail: bytes

    def to_bytes(self) -> bytes:
        return MAGIC + bytes((self.version, self.kind)) + self.detail

    @property
    def size(self) -> int:
        return _FIXED + len(self.detail)


def is_encrypted(data: bytes) -> bool:
    """Whether these are (the first bytes of) an encrypted bundle rather than a plain ZIP."""
    return bytes(data[: len(MAGIC)]) == MAGIC


def _cut_short(where: str) -> BundleError:
    problem = tr("the encrypted file is cut short")
    return BundleError(
        tr("{where}: damaged or incomplete ({problem}); ask for the file again", where=where, problem=problem)
    )


def read_header(data: bytes, where: str) -> Header:
    """The header of an encrypted bundle (`is_encrypted`); BundleError if it is from a newer
    app, of an unknown kind, or cut short."""
    if len(data) < _FIXED:
        raise _cut_short(where)
    version, kind = data[len(MAGIC)], data[len(MAGIC) + 1]
    if version > ENCRYPTION_VERSION:
        raise BundleError(
            tr(
                "{where}: encrypted by a newer version of the app (encryption version {found}, this app reads "
                "up to {version}); update the app, then import it again",
                where=where,
                found=version,
                version=ENCRYPTION_VERSION,
            )
        )
    if version < 1 or kind not in _DETAIL_BYTES:
        problem = tr("unknown encryption (version {version}, kind {kind})", version=version, kind=kind)
        raise BundleError(tr("{where}: damaged: {problem}; ask for the file again", where=where, problem=problem))
    size = _FIXED + _DETAIL_BYTES[Kind(kind)]
    if len(data) < size + _OVERHEAD[Kind(kind)]:
        raise _cut_short(where)
    return Header(version, Kind(kind), bytes(data[_FIXED:size]))


# ----- sealing ---------------------------------------------------------------------------
def passphrase_problem(passphrase: str) -> str | None:
    """Why this passphrase may not encrypt a bundle (too short), or None if it may."""
    length = len(_normalised(passphrase))
    if length >= MIN_PASSPHRASE_CHARS:
        return None
    return tr(
        "the passphrase has {count} characters; at least {minimum} are needed, as a lost bundle can be "
        "tried offline for as long as its finder likes",
        count=length,
        minimum=MIN_PASSPHRASE_CHARS,
    )


def _normalised(passphrase: str) -> str:
    """One spelling of the same typed text (an "ü" is one character or two, by system)."""
    return unicodedata.normalize("NFC", passphrase)


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        _normalised(passphrase).encode("utf-8"),
        salt,
        opslimit=OPSLIMIT,
        memlimit=MEMLIMIT,
    )


def _recipient_check(one_time_key: bytes, public_key: bytes) -> bytes:
    """Which computer a bundle is for, as only that computer can tell: the sealed box's one-time
    public key hashed under the recipient's public key. Its app knows a bundle is not for it (and
    says so, rather than "damaged"); a finder without that key cannot tell which bundles go to
    the same therapist, as the one-time key differs every time."""
    return hashlib.blake2b(
        one_time_key, key=public_key, digest_size=RECIPIENT_CHECK_BYTES, person=_RECIPIENT_PERSON
    ).digest()


def seal_for_therapist(plain: bytes, public_key: bytes) -> bytes:
    """The plain bundle encrypted to a therapist's public key (SealedBox)."""
    fixed = Header(ENCRYPTION_VERSION, Kind.FOR_THERAPIST, b"").to_bytes()
    sealed = nacl.public.SealedBox(nacl.public.PublicKey(bytes(public_key))).encrypt(fixed + plain)
    one_time_key = sealed[: nacl.public.PublicKey.SIZE]
    return fixed + _recipient_check(one_time_key, bytes(public_key)) + sealed


def seal_with_passphrase(plain: bytes, passphrase: str) -> bytes:
    """The plain bundle encrypted with a key from the passphrase (Argon2id, SecretBox);
    BundleError if the passphrase is too short."""
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise BundleError(problem)
    header = Header(ENCRYPTION_VERSION, Kind.PASSPHRASE, nacl.utils.random(SALT_BYTES))
    box = nacl.secret.SecretBox(_passphrase_key(passphrase, header.detail))
    return header.to_bytes() + bytes(box.encrypt(header.to_bytes()[:_FIXED] + plain))


def seal(plain: bytes, encryption: Encryption) -> bytes:
    """The bytes of the bundle file: `plain` as it is, or encrypted as chosen."""
    match encryption:
        case ForTherapist(public_key=public_key):
            return seal_for_therapist(plain, public_key)
        case WithPassphrase(passphrase=passphrase):
            return seal_with_passphrase(plain, passphrase)
        case _:
            return plain


# ----- opening ---------------------------------------------------------------------------
def open_sealed(data: bytes, where: str, keys: BundleKeys) -> bytes:
    """The plain bundle (ZIP bytes) inside an encrypted one. Refused (a BundleError naming
    `where`) when no key opens it, when it was changed or cut short, or when it is from a
    newer app; the key or passphrase is asked for (`keys`) only when the file needs it."""
    header = read_header(data, where)
    body = bytes(data[header.size :])
    if header.kind is Kind.FOR_THERAPIST:
        plain = _open_for_therapist(header, body, where, keys)
    else:
        plain = _open_with_passphrase(header, body, where, keys)
    if plain[:_FIXED] != header.to_bytes()[:_FIXED]:
        raise BundleError(
            tr(
                "{where}: changed after it was encrypted (its header does not match its contents): nothing imported; "
                "ask for the file again",
                where=where,
            )
        )
    return plain[_FIXED:]


def _open_for_therapist(header: Header, body: bytes, where: str, keys: BundleKeys) -> bytes:
    try:
        key = keys.own_key()
    except CoachError as error:  # this computer's key is damaged or unreadable: said with the bundle
        raise BundleError(tr("{where}: cannot be opened: {problem}", where=where, problem=error)) from None
    one_time_key = body[: nacl.public.PublicKey.SIZE]
    if key is None or header.detail != _recipient_check(one_time_key, bytes(key.public_key)):
        raise NotForThisComputerError(
            tr(
                "{where}: encrypted for another therapist's computer (not this one): ask the patient to export "
                "it for you, or with a passphrase; nothing imported",
                where=where,
            )
        )
    try:
        return nacl.public.SealedBox(key).decrypt(body)
    except nacl.exceptions.CryptoError:
        raise BundleError(
            tr(
                "{where}: changed or damaged after it was encrypted (it does not open with this computer's key): "
                "nothing imported; ask for the file again",
                where=where,
            )
        ) from None


def _open_with_passphrase(header: Header, body: bytes, where: str, keys: BundleKeys) -> bytes:
    passphrase = keys.passphrase()
    if passphrase is None:
        raise PassphraseNeededError(
            tr("{where}: encrypted with a passphrase; give the passphrase to import it", where=where)
        )
    box = nacl.secret.SecretBox(_passphrase_key(passphrase, header.detail))
    try:
        return box.decrypt(body)
    except nacl.exceptions.CryptoError:
        raise WrongPassphraseError(
            tr("{where}: wrong passphrase or damaged file: nothing imported", where=where)
        ) from None
