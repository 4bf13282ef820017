"""Supervision from another place, as every front-end starts it (coach.remote does the work).

`share_live_session`: the patient's app shows a code and shares its live sessions with the
therapist who types it. `follow_remote_session`: the therapist's app pairs with that code and
follows the session, each finished one filed in the therapist's records for the patient they
chose (checked as an imported bundle is; filing it twice adds nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.records.bundle import read_session_json, session_json
from coach.records.keyring import own_public_key, remember_therapist
from coach.records.store import SessionStore
from coach.remote import wire
from coach.remote.link import LinkStatus
from coach.remote.pairing import PairingCode, PairingError
from coach.remote.patient_side import SharedSession, ShareState
from coach.remote.relay import RelayAddress, RelayAddressError, RelayConnection
from coach.remote.therapist_side import FollowedSession, therapist_hello
from coach.session.controller import SessionController
from coach.usecases.live_session import SessionRecorder

log = logging.getLogger("coach.remote")
#: a Curve25519 public key (what a therapist's app sends when pairing)
PUBLIC_KEY_BYTES = 32


class RemoteError(CoachError):
    """A relay address or a code that cannot be used, in the person's words."""


def relay_address(text: str) -> RelayAddress:
    try:
        return RelayAddress.parse(text)
    except RelayAddressError:
        example = "mqtts://relay.clinic.example:8883"
        raise RemoteError(tr("{address} is not a relay address: ask your clinic for it (for example {example})",
                             address=repr(text), example=example)) from None  # fmt: skip


def pairing_code(text: str) -> PairingCode:
    try:
        return PairingCode.parse(text)
    except PairingError:
        raise RemoteError(tr("{code} is not a code: it has 11 digits, as the patient's screen shows "
                             "them (for example 417-3829-1057)", code=repr(text.strip()))) from None  # fmt: skip


def share_live_session(
    relay: str,
    controller: SessionController,
    patient_name: str,
    on_state: Callable[[ShareState], None],
    recorder: SessionRecorder | None,
    data_dir: Path | None = None,
) -> SharedSession:
    """Show a code (`on_state`) and share `controller`'s sessions with the therapist who types it;
    each finished session the recorder kept is sent for the therapist's records. The therapist's
    public key is kept in `data_dir`'s keyring, so a bundle can be encrypted to them later."""

    def remember(therapist: wire.Hello) -> None:
        if data_dir is None or len(therapist.public_key) != PUBLIC_KEY_BYTES or not therapist.name.strip():
            return
        try:
            remember_therapist(data_dir, therapist.name, therapist.public_key)
        except (CoachError, OSError) as exc:  # the link works all the same; only the key is not kept
            log.warning("remote pairing: the therapist's key was not kept: %s", exc)

    def finished_record() -> bytes | None:
        if recorder is None or recorder.ended_session_id is None:
            return None
        store, _notice = SessionStore.open(recorder.database)
        try:
            return session_json(store.history.session_detail(recorder.ended_session_id))
        finally:
            store.close()

    shared = SharedSession(RelayConnection(relay_address(relay)), controller, patient_name, on_state, finished_record,
                           remember)  # fmt: skip
    shared.start()
    return shared


def follow_remote_session(
    relay: str,
    code: str,
    therapist_name: str,
    database: Path,
    patient_id: int | None,
    on_status: Callable[[LinkStatus | str], None],
) -> FollowedSession:
    """Pair with the patient's app showing `code` and follow its sessions; finished ones are filed
    for `patient_id` in `database` (None: shown, not filed)."""

    def file_record(record: bytes) -> str:
        session = read_session_json(record, tr("the session sent by the patient's app"))
        if patient_id is None:
            return tr("Session {uid} arrived; not filed: no patient was chosen.", uid=session.uid)
        store, _notice = SessionStore.open(database)
        try:
            added = store.imports.session(session, patient_id)
        finally:
            store.close()
        if added is None:
            return tr("Session {uid} was in the records already.", uid=session.uid)
        return tr("Session {uid} filed in the patient's records.", uid=session.uid)

    try:  # the patient's app keeps it, so a bundle can be encrypted to this computer
        public_key = own_public_key(database.parent)
    except (CoachError, OSError) as exc:
        log.warning("remote pairing: this computer's key cannot be read, none is sent: %s", exc)
        public_key = b""
    followed = FollowedSession(RelayConnection(relay_address(relay)), pairing_code(code),
                               therapist_hello(therapist_name, public_key), patient_id, file_record,
                               on_status)  # fmt: skip
    followed.start()
    return followed
