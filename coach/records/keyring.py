"""This computer's key pair, and the public keys of the therapists this computer paired with.

Why: a bundle travels by e-mail or on a USB stick, and a lost one must tell a finder nothing.
A therapist's app has one long-term Curve25519 key pair (`own_key`, made on first use); a
patient's app keeps the public keys of the therapists it paired with (`remember_therapist`,
called after a pairing over the authenticated link, docs/remote.md), so that an export can be
encrypted to one of them (`records.bundle_crypto`) and only that therapist's computer opens it.

Both live in `keys/` in the data folder, private (0700 folder, 0600 files) and written whole:
`own.key` and `therapists.json`, each JSON checked by a msgspec model when read. A damaged
file is never replaced without a word: a damaged key is refused with what to do (replacing it
would silently lock out every bundle already sent to this computer); a damaged list of
therapists is named and left as it is until a new pairing starts a new list, and even then
it is kept beside it under a `.damaged-…` name.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec
import nacl.public
from msgspec import Meta, Struct

from coach.base.errors import CoachError, FieldValueError
from coach.base.i18n import tr
from coach.base.private_files import private_folder, write_private_text

#: the folder of the data folder that holds the keys
KEYS_FOLDER = "keys"
OWN_KEY_FILE = "own.key"
THERAPISTS_FILE = "therapists.json"
OWN_KEY_FORMAT = "facecoach-own-key"
THERAPISTS_FORMAT = "facecoach-paired-therapists"
#: a Curve25519 public or private key, in bytes (libsodium's size)
KEY_BYTES = nacl.public.PublicKey.SIZE
#: a therapist's name as the pairing told it: a person's name, not a document
NAME_MAX_CHARS = 200
#: how many bytes of the key's hash a fingerprint shows: enough to tell two therapists apart
#: at a glance, short enough to read out over the phone
FINGERPRINT_BYTES = 8

HexKey = Annotated[str, Meta(pattern=f"^[0-9a-f]{{{2 * KEY_BYTES}}}$")]
TherapistName = Annotated[str, Meta(min_length=1, max_length=NAME_MAX_CHARS)]


class KeyringError(CoachError):
    """This computer's key or its list of paired therapists cannot be used; the message names
    the file and what to do. Nothing was changed."""


class _DamagedListError(KeyringError):
    """The list of paired therapists is there but cannot be decoded (left as it is)."""


@dataclass(frozen=True)
class PairedTherapist:
    """A therapist this computer paired with: bundles can be encrypted to their public key."""

    name: str
    public_key: bytes
    #: the day of the latest pairing, ISO (YYYY-MM-DD)
    paired_on: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


class _OwnKeyFile(Struct, forbid_unknown_fields=True):
    format: Literal["facecoach-own-key"]
    private_key: HexKey
    #: kept beside the private key so that a changed byte in either is noticed
    public_key: HexKey
    made_on: date


class _TherapistEntry(Struct, forbid_unknown_fields=True):
    name: TherapistName
    public_key: HexKey
    paired_on: date


class _TherapistsFile(Struct, forbid_unknown_fields=True):
    format: Literal["facecoach-paired-therapists"]
    therapists: list[_TherapistEntry]


def fingerprint(public_key: bytes) -> str:
    """A short, readable digest of a public key ("3f2a 9c01 77be 4d10"): what a person compares
    on both computers to know they paired with the right one."""
    digest = hashlib.blake2b(bytes(public_key), digest_size=FINGERPRINT_BYTES).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _keys_folder(data_dir: Path) -> Path:
    """`keys/` in the data folder, made private (as the data folder) when missing."""
    private_folder(Path(data_dir))
    folder = Path(data_dir) / KEYS_FOLDER
    private_folder(folder)
    return folder


# ----- this computer's key pair ----------------------------------------------------------
def own_key(data_dir: Path) -> nacl.public.PrivateKey:
    """This computer's private key, made (and kept, 0600) on first use. KeyringError if the
    file is damaged: it is never replaced, since bundles already encrypted to it need it."""
    existing = existing_own_key(data_dir)
    if existing is not None:
        return existing
    path = _keys_folder(data_dir) / OWN_KEY_FILE
    made = nacl.public.PrivateKey.generate()
    record = _OwnKeyFile(OWN_KEY_FORMAT, bytes(made).hex(), bytes(made.public_key).hex(), date.today())
    # written under a name of its own, then linked to the real name only if no other FaceCoach
    # made one meanwhile: two processes starting at once must not each hand out a different key
    staging = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    try:
        write_private_text(staging, msgspec.json.encode(record).decode() + "\n")
        try:
            os.link(staging, path)
        except FileExistsError:
            pass  # the other one's key is this computer's key
        except OSError:  # a file system without hard links (a FAT USB stick): rename, if still none
            if not path.exists():
                os.replace(staging, path)
    except OSError as exc:
        problem = exc.strerror or exc
        raise KeyringError(
            tr("cannot write this computer's key {path} ({problem})", path=path, problem=problem)
        ) from None
    finally:
        staging.unlink(missing_ok=True)
    key = existing_own_key(data_dir)
    if key is None:  # removed as soon as written, by someone else: nothing to rely on
        problem = os.strerror(errno.ENOENT)
        raise KeyringError(tr("cannot write this computer's key {path} ({problem})", path=path, problem=problem))
    return key


def existing_own_key(data_dir: Path) -> nacl.public.PrivateKey | None:
    """This computer's private key if it has one, else None (nothing is made: a computer with no
    key cannot be the one a bundle was encrypted for). KeyringError if the file is damaged."""
    path = Path(data_dir) / KEYS_FOLDER / OWN_KEY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyringError(
            tr("cannot read this computer's key {path} ({problem})", path=path, problem=exc.strerror or exc)
        ) from None
    try:
        record = msgspec.json.decode(data, type=_OwnKeyFile, strict=True)
        key = nacl.public.PrivateKey(bytes.fromhex(record.private_key))
        if bytes(key.public_key).hex() != record.public_key:
            raise ValueError(tr("its private and public halves do not belong together"))
    except (msgspec.DecodeError, ValueError) as exc:
        raise KeyringError(
            tr(
                "this computer's key {path} is damaged ({problem}); it was left as it is: restore it from a "
                "backup, or move it away to make a new one (then pair with your patients again)",
                path=path,
                problem=exc,
            )
        ) from None
    return key


def own_public_key(data_dir: Path) -> bytes:
    """This computer's public key (made on first use), as a pairing sends it to a patient."""
    return bytes(own_key(data_dir).public_key)


# ----- the therapists this computer paired with -------------------------------------------
def _therapists_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEYS_FOLDER / THERAPISTS_FILE


def _read_therapists(path: Path) -> list[_TherapistEntry]:
    """The list as kept; KeyringError naming the file if it cannot be read or is damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise KeyringError(
            tr("cannot read the list of paired therapists {path} ({problem})", path=path, problem=exc.strerror or exc)
        ) from None
    try:
        return msgspec.json.decode(data, type=_TherapistsFile, strict=True).therapists
    except msgspec.DecodeError as exc:
        raise _DamagedListError(
            tr(
                "the list of paired therapists {path} is damaged ({problem}); it was left as it is: pair with "
                "your therapist again (the damaged list is then kept beside the new one)",
                path=path,
                problem=exc,
            )
        ) from None


def _write_therapists(path: Path, entries: list[_TherapistEntry]) -> None:
    _keys_folder(path.parent.parent)
    text = msgspec.json.format(msgspec.json.encode(_TherapistsFile(THERAPISTS_FORMAT, entries))).decode()
    try:
        write_private_text(path, text + "\n")
    except OSError as exc:
        raise KeyringError(
            tr("cannot write the list of paired therapists {path} ({problem})", path=path, problem=exc.strerror or exc)
        ) from None


def _paired(entry: _TherapistEntry) -> PairedTherapist:
    return PairedTherapist(entry.name, bytes.fromhex(entry.public_key), entry.paired_on.isoformat())


def paired_therapists(data_dir: Path) -> list[PairedTherapist]:
    """The therapists this computer paired with, in the order first paired. KeyringError if the
    list is damaged (it is left as it is)."""
    return [_paired(entry) for entry in _read_therapists(_therapists_path(data_dir))]


def remember_therapist(data_dir: Path, name: str, public_key: bytes) -> PairedTherapist:
    """Keep a therapist's public key after a successful pairing (the same key again: its name and
    date are updated, not a second entry). A damaged list is kept aside and a new one begun, so
    that a pairing that just worked is never lost to an old problem."""
    name, public_key = " ".join(str(name).split()), bytes(public_key)
    if not 0 < len(name) <= NAME_MAX_CHARS:
        raise FieldValueError(tr("a paired therapist needs a name of 1 to {count} characters", count=NAME_MAX_CHARS))
    if len(public_key) != KEY_BYTES:
        raise FieldValueError(tr("a therapist's public key is {count} bytes", count=KEY_BYTES))
    path = _therapists_path(data_dir)
    try:
        entries = _read_therapists(path)
    except _DamagedListError:
        _keep_aside(path)
        entries = []
    entry = _TherapistEntry(name, public_key.hex(), date.today())
    kept = [entry if old.public_key == entry.public_key else old for old in entries]
    if entry not in kept:
        kept.append(entry)
    _write_therapists(path, kept)
    return _paired(entry)


def _keep_aside(path: Path) -> None:
    """A damaged list, renamed beside the new one (`….damaged-YYYYMMDD-HHMMSS`), never deleted."""
    try:
        os.replace(path, path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}"))
    except OSError as exc:
        raise KeyringError(
            tr("cannot write the list of paired therapists {path} ({problem})", path=path, problem=exc.strerror or exc)
        ) from None


def forget_therapist(data_dir: Path, public_key: bytes) -> None:
    """No longer offer this therapist for encrypted bundles (nothing happens if unknown)."""
    path = _therapists_path(data_dir)
    entries = _read_therapists(path)
    kept = [entry for entry in entries if entry.public_key != bytes(public_key).hex()]
    if len(kept) != len(entries):
        _write_therapists(path, kept)


def find_therapist(data_dir: Path, wanted: str) -> PairedTherapist:
    """The paired therapist called `wanted` (any case), or whose fingerprint starts with it (4
    characters or more); KeyringError naming those there are when none or several match."""
    therapists = paired_therapists(data_dir)
    folded = " ".join(wanted.split()).casefold()
    found = [t for t in therapists if t.name.casefold() == folded]
    compact = folded.replace(" ", "")
    found = found or [t for t in therapists if len(compact) >= 4 and t.fingerprint.replace(" ", "").startswith(compact)]
    if len(found) == 1:
        return found[0]
    if not therapists:
        raise KeyringError(tr("no therapist is paired with this computer yet: pair with your therapist first"))
    known = "; ".join(f"{t.name} ({t.fingerprint})" for t in therapists)
    if not found:
        raise KeyringError(tr("no paired therapist is called {name}; paired: {known}", name=repr(wanted), known=known))
    raise KeyringError(
        tr(
            "several paired therapists are called {name}: give the fingerprint instead ({known})",
            name=repr(wanted),
            known=known,
        )
    )
