"""Meeting on the relay by a short code, and agreeing the link's keys (`pairing`).

The therapist's app sends its half of the key exchange to the code's nameplate; the patient's
app answers the first one only, with its half and an invitation sealed with the new key (the
link's own topic and who the patient is). The therapist's app opens the invitation, which
proves both typed the same code, and answers with who the therapist is, sealed the other way.
A half that does not agree (a wrong code, a guess) ends that code: the patient's app shows a
new one, so every guess costs a code the patient can see was used.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import nacl.exceptions
import nacl.secret
from msgspec import Struct

from coach.remote import wire
from coach.remote.pairing import KeyExchange, LinkKeys, PairingCode, PairingError
from coach.remote.relay import RelayConnection

log = logging.getLogger("coach.remote")

#: a code is good for ten minutes: time to read it out on the phone, short enough not to linger
CODE_LIFETIME_S = 600.0
#: the therapist's app waits this long for the patient's app to answer a code
ANSWER_WAIT_S = 15.0
#: the therapist's half is sent again this often until answered: the relay keeps nothing, so a
#: half sent while the patient's app was (re)connecting would otherwise be lost
ASK_AGAIN_S = 1.0


def pair_topic(code: PairingCode, from_patient: bool) -> str:
    return f"fc/v1/pair/{code.nameplate}/{'p' if from_patient else 't'}"


def link_topic(link_id: str, from_patient: bool) -> str:
    return f"fc/v1/s/{link_id}/{'p2t' if from_patient else 't2p'}"


class PairMessage(Struct):
    #: this side's half of the key exchange
    spake: bytes = b""
    #: sealed with the agreed key: the patient's Invitation, or the therapist's Hello
    confirm: bytes = b""


class Invitation(Struct):
    #: the link's own topic: 128 random bits, told only inside the sealed invitation
    link_id: str
    patient: wire.Hello


@dataclass(frozen=True)
class Paired:
    keys: LinkKeys
    link_id: str
    #: who is at the other end, as they said when pairing
    other: wire.Hello


def _seal(key: bytes, message: object) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(msgspec.msgpack.encode(message)))


def _open(key: bytes, sealed: bytes, kind: type) -> object:
    try:
        return msgspec.msgpack.decode(nacl.secret.SecretBox(key).decrypt(sealed), type=kind)
    except (nacl.exceptions.CryptoError, msgspec.DecodeError, ValueError, TypeError):
        raise PairingError("the code was not the same on both sides") from None


def _pair_message(payload: bytes) -> PairMessage | None:
    try:
        return msgspec.msgpack.decode(payload, type=PairMessage)
    except msgspec.DecodeError:
        log.warning("remote pairing: a message that is not one was refused")
        return None


class PatientMeeting:
    """The patient's side: shows a code (`on_code`) and pairs with the therapist who types it."""

    def __init__(
        self,
        relay: RelayConnection,
        hello: wire.Hello,
        on_code: Callable[[PairingCode, str], None],
        on_agreed: Callable[[LinkKeys, str], None],
        on_paired: Callable[[Paired], None],
    ) -> None:
        """on_code(code, why_new): a code to show ("" for the first; otherwise why it changed, in
        English for the log: the screen says it in the patient's words); on_agreed(keys, link_id):
        keys were agreed and the therapist is about to be told the link's topic (listen there now;
        a new code follows if they turn out not to be the therapist's). Called on the relay's thread."""
        self.relay, self.hello = relay, hello
        self._on_code, self._on_agreed, self._on_paired = on_code, on_agreed, on_paired
        self._lock = threading.Lock()
        self.code: PairingCode | None = None
        self._exchange: KeyExchange | None = None
        self._keys: LinkKeys | None = None
        #: the therapist's half this code was tried with (b"": not tried yet)
        self._first_half = b""
        self._link_id = ""
        self._expiry: threading.Timer | None = None
        self.closed = False

    def start(self) -> None:
        self._new_code("")

    def close(self) -> None:
        with self._lock:
            self.closed = True
            if self._expiry is not None:
                self._expiry.cancel()
            if self.code is not None:
                self.relay.unsubscribe(pair_topic(self.code, from_patient=False))

    def _new_code(self, why: str) -> None:
        with self._lock:
            if self.closed:
                return
            if self.code is not None:
                self.relay.unsubscribe(pair_topic(self.code, from_patient=False))
            if why:
                log.warning("remote pairing: code %s given up: %s", self.code, why)
            self.code = PairingCode.new()
            self._exchange, self._keys, self._first_half = KeyExchange(self.code, patient=True), None, b""
            if self._expiry is not None:
                self._expiry.cancel()
            self._expiry = threading.Timer(CODE_LIFETIME_S, self._new_code, args=("expired",))
            self._expiry.daemon = True
            self._expiry.start()
            code = self.code
            self.relay.subscribe(pair_topic(code, from_patient=False), lambda payload: self._arrived(code, payload))
        self._on_code(code, why)

    def _arrived(self, code: PairingCode, payload: bytes) -> None:
        message = _pair_message(payload)
        with self._lock:
            if message is None or code != self.code or self.closed or self._exchange is None:
                return
            if message.spake:
                why = self._therapists_half(code, message.spake)
            elif self._keys is not None:
                why = self._therapists_confirmation(code, message.confirm)
            else:
                return
        if why:
            self._new_code(why)

    def _therapists_half(self, code: PairingCode, half: bytes) -> str:
        """Answer the first half tried with this code (why not, or "")."""
        if half == self._first_half:  # the same half sent again: not a second try
            return ""
        if self._keys is not None:  # the code was tried already: one try per code
            log.warning("remote pairing: a second try at code %s was refused", code)
            return ""
        self._first_half = half
        assert self._exchange is not None
        try:
            self._keys = self._exchange.finish(half)
        except PairingError as exc:
            return str(exc)
        self._link_id = secrets.token_hex(16)
        self._on_agreed(self._keys, self._link_id)
        invitation = _seal(self._keys.to_therapist, Invitation(self._link_id, self.hello))
        answer = PairMessage(self._exchange.message, invitation)
        self.relay.publish(pair_topic(code, from_patient=True), msgspec.msgpack.encode(answer))
        return ""

    def _therapists_confirmation(self, code: PairingCode, sealed: bytes) -> str:
        """Paired if the therapist proves the same code (why not, or "")."""
        assert self._keys is not None
        try:
            therapist = _open(self._keys.to_patient, sealed, wire.Hello)
        except PairingError as exc:
            return str(exc)
        self.closed = True
        if self._expiry is not None:
            self._expiry.cancel()
        self.relay.unsubscribe(pair_topic(code, from_patient=False))
        self._on_paired(Paired(self._keys, self._link_id, therapist))  # type: ignore[arg-type]
        return ""


class TherapistMeeting:
    """The therapist's side: pairs with the patient's app showing `code` (`on_failed`: why not)."""

    def __init__(
        self,
        relay: RelayConnection,
        code: PairingCode,
        hello: wire.Hello,
        on_paired: Callable[[Paired], None],
        on_failed: Callable[[str], None],
    ) -> None:
        self.relay, self.code, self.hello = relay, code, hello
        self._on_paired, self._on_failed = on_paired, on_failed
        self._exchange = KeyExchange(code, patient=False)
        self._lock = threading.Lock()
        self._done = False
        self._timeout = threading.Timer(ANSWER_WAIT_S, self._fail, args=("no answer",))
        self._timeout.daemon = True

    def start(self) -> None:
        self.relay.subscribe(pair_topic(self.code, from_patient=True), self._arrived)
        self._timeout.start()
        threading.Thread(target=self._ask, daemon=True, name="pairing").start()

    def _ask(self) -> None:
        """Our half, every ASK_AGAIN_S until answered (or given up)."""
        while True:
            if self.relay.wait_until_connected(ASK_AGAIN_S):
                with self._lock:
                    if self._done:
                        return
                self._say(PairMessage(self._exchange.message))
                time.sleep(ASK_AGAIN_S)
            elif self._done:
                return

    def _fail(self, why: str) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self.relay.unsubscribe(pair_topic(self.code, from_patient=True))
        self._on_failed(why)

    def _arrived(self, payload: bytes) -> None:
        message = _pair_message(payload)
        if message is None or not message.spake:
            return
        with self._lock:
            if self._done:  # answered already (or given up): the one answer was taken
                return
            self._done = True
        self._timeout.cancel()
        try:
            keys = self._exchange.finish(message.spake)
            invitation = _open(keys.to_therapist, message.confirm, Invitation)
        except PairingError:  # tell the patient's app at once: it shows a new code
            self._say(PairMessage(confirm=b"wrong code"))
            self.relay.unsubscribe(pair_topic(self.code, from_patient=True))
            self._on_failed("wrong code")
            return
        self.relay.unsubscribe(pair_topic(self.code, from_patient=True))
        # listening on the link before the patient's app learns it is paired: nothing it sends is missed
        self._on_paired(Paired(keys, invitation.link_id, invitation.patient))  # type: ignore[attr-defined]
        self._say(PairMessage(confirm=_seal(keys.to_patient, self.hello)))

    def _say(self, message: PairMessage) -> None:
        self.relay.publish(pair_topic(self.code, from_patient=False), msgspec.msgpack.encode(message))
