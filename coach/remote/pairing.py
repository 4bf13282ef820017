"""Pairing by a short code: both apps agree a key from it, and the relay learns nothing.

The patient's app shows a code such as ``417-3829-1057``: the first group names the meeting
place on the relay (the "nameplate"), the whole code is the password of a SPAKE2 exchange
(a password-authenticated key agreement, the one magic-wormhole uses). Whoever does not know
the code, the relay included, gets one guess per code: the patient's app answers the first
exchange on its nameplate only, and a failed confirmation burns the code (a new one is shown).
From the agreed key come two keys, one per direction, so a message reflected back to its
sender does not open.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import nacl.hash
import nacl.secret
from nacl.encoding import RawEncoder
from spake2 import SPAKE2_A, SPAKE2_B
from spake2.spake2 import SPAKEError

#: nameplates 100-999: three digits are easy to say on the phone, and a clinic's relay holds
#: few pairings at once (a clash is noticed, and a new code shown)
NAMEPLATES = range(100, 1000)
#: the secret part: eight digits (1 in 10^8 for the one guess a code allows), read as two groups
SECRET_DIGITS = 8
#: what both sides name themselves in the exchange (binds the key to these roles and this app)
PATIENT_ID = b"facecoach patient v1"
THERAPIST_ID = b"facecoach therapist v1"


class PairingError(Exception):
    """The code was not right, or a message of the exchange was not one."""


@dataclass(frozen=True)
class PairingCode:
    nameplate: int
    secret: str

    def __str__(self) -> str:
        return f"{self.nameplate}-{self.secret[:4]}-{self.secret[4:]}"

    @classmethod
    def new(cls) -> PairingCode:
        nameplate = NAMEPLATES.start + secrets.randbelow(len(NAMEPLATES))
        return cls(nameplate, "".join(str(secrets.randbelow(10)) for _ in range(SECRET_DIGITS)))

    @classmethod
    def parse(cls, typed: str) -> PairingCode:
        """A code as a person types it: spaces, dashes and dots between the groups are all the same."""
        digits = "".join(ch for ch in typed if ch.isdigit())
        others = [ch for ch in typed if not ch.isdigit() and ch not in " -._"]
        if others or len(digits) != 3 + SECRET_DIGITS:
            raise PairingError("a code is 11 digits, as the patient's screen shows them: 417-3829-1057")
        return cls(int(digits[:3]), digits[3:])

    @property
    def password(self) -> bytes:
        return str(self).encode()


@dataclass(frozen=True)
class LinkKeys:
    """The keys of one paired link: patient → therapist and therapist → patient."""

    to_therapist: bytes
    to_patient: bytes

    @classmethod
    def from_agreed(cls, agreed: bytes) -> LinkKeys:
        return cls(_derive(agreed, b"fc-p2t"), _derive(agreed, b"fc-t2p"))


def _derive(agreed: bytes, purpose: bytes) -> bytes:
    """A key for one purpose from the agreed key (keyed BLAKE2b with the purpose as personalisation)."""
    return nacl.hash.blake2b(b"", digest_size=nacl.secret.SecretBox.KEY_SIZE, key=agreed, person=purpose,
                             encoder=RawEncoder)  # fmt: skip


class KeyExchange:
    """One side's SPAKE2 exchange for one code: `message` goes to the other side, whose
    message `finish` turns into the link's keys."""

    def __init__(self, code: PairingCode, patient: bool) -> None:
        kind = SPAKE2_A if patient else SPAKE2_B
        self._spake = kind(code.password, idA=PATIENT_ID, idB=THERAPIST_ID)
        self.message = self._spake.start()
        self._finished = False

    def finish(self, other_message: bytes) -> LinkKeys:
        if self._finished:  # SPAKE2 allows one finish: a second message is a second guess
            raise PairingError("this code was used already")
        self._finished = True
        try:
            return LinkKeys.from_agreed(self._spake.finish(bytes(other_message)))
        except (SPAKEError, ValueError, TypeError) as exc:
            raise PairingError(f"not a pairing message ({exc})") from None
