"""Session bundles: a patient's sessions in one file, from home to clinic.

A bundle is a zip holding `manifest.json` (format, version, the patient, and the
SHA-256 of every other member) and one JSON file per session, at full precision.
Import checks everything before writing anything: a truncated, tampered or unknown
file, or one from a newer version of the app, is refused whole with the reason;
sessions already in the database (same uid) are skipped, so importing twice adds
nothing. Only numbers travel: no video, no pictures.

A bundle may be encrypted, for a paired therapist or with a passphrase
(`records.bundle_crypto`): the same ZIP, sealed whole. Reading opens it first (asking for
the key or passphrase only then) and checks the ZIP inside exactly as a plain one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach import __version__
from coach.base.errors import DamagedSessionError
from coach.base.i18n import tr
from coach.base.private_files import atomic_private_open
from coach.records import bundle_model as model
from coach.records.bundle_crypto import (
    MAGIC,
    NO_KEYS,
    NOT_ENCRYPTED,
    BundleKeys,
    Encryption,
    is_encrypted,
    open_sealed,
    seal,
)
from coach.records.bundle_model import BundleError, field_problem, refused
from coach.records.models import FiledGrading, Patient, SessionDetail
from coach.records.store import SessionStore

BUNDLE_FORMAT = "facecoach-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
#: a bundle larger than this is not a patient's history (protects against zip bombs)
MAX_MEMBER_BYTES = 50 * 1024 * 1024
#: an encrypted bundle larger than this is not a patient's history (a few MB is usual); it is
#: opened in memory, which needs about twice its size
MAX_ENCRYPTED_BYTES = 256 * 1024 * 1024


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return value


def export_bundle(
    store: SessionStore,
    patient: Patient,
    path: Path,
    on_left_out: Callable[[str], None] = lambda text: None,
    encryption: Encryption = NOT_ENCRYPTED,
) -> int:
    """Write all of the patient's finished sessions to `path`, encrypted as chosen; returns how
    many. A session whose stored values are damaged is left out (`on_left_out` is told why),
    never the whole export."""
    records = [r for r in store.history.sessions(limit=100_000, patient_id=patient.id) if r.status != "in_progress"]
    members: dict[str, bytes] = {}
    for record in reversed(records):  # oldest first
        try:
            detail = store.history.session_detail(record.id)
        except DamagedSessionError as damaged:
            on_left_out(str(damaged))
            continue
        members[f"sessions/{detail.uid}.json"] = session_json(detail)
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "app_version": __version__,
        "created_at": datetime.now().astimezone().isoformat(),
        "patient": patient.to_json(),
        "sessions": list(members),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
        "gradings": [grading_json(g) for g in store.gradings.for_patient(patient.id)],
    }
    try:  # private, and never a half-written bundle under the real name
        plain = io.BytesIO()
        with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
            for name, data in members.items():
                archive.writestr(name, data)
        sealed = seal(plain.getvalue(), encryption)
        with atomic_private_open(path, "wb") as handle:
            handle.write(sealed)
    except OSError as exc:
        raise BundleError(tr("cannot write bundle {path}: {problem}", path=path, problem=exc.strerror or exc)) from exc
    return len(members)


def grading_json(grading: FiledGrading) -> dict[str, Any]:
    """A filed grading as a bundle carries it: its session by uid (ids differ between databases)."""
    return {
        "uid": grading.uid,
        "session_uid": grading.session_uid,
        "scale": grading.scale,
        "graded_at": grading.graded_at.isoformat(),
        "graded_by": grading.graded_by,
        "values": grading.values,
        "suggested": grading.suggested,
    }


def read_bundle(path: Path, keys: BundleKeys = NO_KEYS) -> tuple[Patient, list[SessionDetail]]:
    """The patient and sessions of a bundle (`read_bundle_contents` has its gradings too)."""
    patient, sessions, _ = read_bundle_contents(path, keys)
    return patient, sessions


def read_bundle_contents(
    path: Path, keys: BundleKeys = NO_KEYS
) -> tuple[Patient, list[SessionDetail], list[model.GradingIn]]:
    """Read and check a whole bundle (bundle_model), opened first with `keys` if it is encrypted;
    raises BundleError naming the file, field and problem."""
    where = tr("bundle {path}", path=path)
    if not path.is_file():
        raise BundleError(tr("{where}: no such file", where=where))
    try:
        with zipfile.ZipFile(_plain_archive(path, where, keys)) as archive:
            manifest = _read_manifest(archive, where)
            sessions = _read_sessions(archive, manifest, where)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise BundleError(
            tr("{where}: damaged or incomplete ({problem}); ask for the file again", where=where, problem=exc)
        ) from None
    except OSError as exc:
        raise BundleError(tr("{where}: cannot be read ({problem})", where=where, problem=exc.strerror or exc)) from None
    return model.patient(manifest, f"{where}, {MANIFEST}"), sessions, manifest.gradings


def _plain_archive(path: Path, where: str, keys: BundleKeys) -> Path | io.BytesIO:
    """The plain bundle's ZIP: the file itself, or what an encrypted one holds, opened in memory."""
    with path.open("rb") as handle:
        if not is_encrypted(handle.read(len(MAGIC))):
            return path
        handle.seek(0)
        data = handle.read(MAX_ENCRYPTED_BYTES + 1)
    if len(data) > MAX_ENCRYPTED_BYTES:
        raise BundleError(tr("{where}: implausibly large for a bundle; refusing it", where=where))
    return io.BytesIO(open_sealed(data, where, keys))


def _read_manifest(archive: zipfile.ZipFile, where: str) -> model.Manifest:
    """The manifest, checked: our format, a version this app reads, and members that match it."""
    infos = {info.filename: info for info in archive.infolist()}
    if MANIFEST not in infos:
        raise BundleError(tr("{where}: not a session bundle (no {manifest})", where=where, manifest=MANIFEST))
    if any(info.file_size > MAX_MEMBER_BYTES for info in infos.values()):
        raise BundleError(tr("{where}: a member is implausibly large; refusing it", where=where))
    data = archive.read(MANIFEST)
    head = model.decode(data, model.ManifestHead, f"{where}, {MANIFEST}")
    if head.format != BUNDLE_FORMAT:
        raise BundleError(tr("{where}: not a Facial Symmetry Coach session bundle", where=where))
    if not isinstance(head.version, int) or isinstance(head.version, bool) or head.version > BUNDLE_VERSION:
        raise BundleError(
            tr(
                "{where}: made by a newer version of the app (bundle version {found}, this app reads "
                "up to {version}); update the app, then import it again",
                where=where,
                found=head.version,
                version=BUNDLE_VERSION,
            )
        )
    manifest = model.decode(data, model.Manifest, f"{where}, {MANIFEST}")
    extra = set(infos) - {MANIFEST} - set(manifest.sessions)
    if extra or set(manifest.sha256) != set(manifest.sessions) or len(set(manifest.sessions)) != len(manifest.sessions):
        raise BundleError(tr("{where}: its contents do not match its manifest (tampered or damaged)", where=where))
    return manifest


def _read_sessions(archive: zipfile.ZipFile, manifest: model.Manifest, where: str) -> list[SessionDetail]:
    """Every session the manifest lists, each refused unless it matches its checksum and the model."""
    present = set(archive.namelist())
    sessions = []
    for name in manifest.sessions:
        if name not in present:
            raise BundleError(tr("{where}: {name} is missing (the file is incomplete)", where=where, name=name))
        data = archive.read(name)
        if hashlib.sha256(data).hexdigest() != manifest.sha256[name]:
            raise BundleError(
                tr("{where}: {name} does not match its checksum (tampered or damaged)", where=where, name=name)
            )
        session = read_session_json(data, f"{where}, {name}")
        if f"sessions/{session.uid}.json" != name:
            problem = tr("{uid} does not match the file's name", uid=session.uid)
            raise BundleError(field_problem(f"{where}, {name}", "uid", problem))
        sessions.append(session)
    return sessions


def session_json(detail: SessionDetail) -> bytes:
    """One session as a bundle holds it (and as a remote link files it in a therapist's records)."""
    return json.dumps(_jsonable(detail), indent=1).encode()


def read_session_json(data: bytes, where: str) -> SessionDetail:
    """One session from a bundle (or a remote link), checked against the model; BundleError naming the field."""
    session = model.decode(data, model.SessionIn, where)
    model.check_session(session, where)
    return model.session_detail(session)


def import_bundle(store: SessionStore, path: Path, keys: BundleKeys = NO_KEYS) -> tuple[Patient, int, int]:
    """Check the whole bundle (opened with `keys` if encrypted), then add its sessions in one
    transaction (all or none).

    Returns the patient, how many sessions were added, and how many were already here.
    """
    patient, sessions, gradings = read_bundle_contents(path, keys)
    try:
        return store.imports.patient_history(patient, sessions, gradings)
    except (ValueError, KeyError, TypeError) as exc:
        where = tr("bundle {path}", path=path)
        raise refused(f"{where}: {exc}") from None
