"""Session bundles: a patient's sessions in one file, from home to clinic.

A bundle is a zip holding `manifest.json` (format, version, the patient, and the
SHA-256 of every other member) and one JSON file per session, at full precision.
Import checks everything before writing anything: a truncated, tampered or unknown
file, or one from a newer version of the app, is refused whole with the reason;
sessions already in the database (same uid) are skipped, so importing twice adds
nothing. Only numbers travel: no video, no pictures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach import __version__
from coach.base.errors import CoachError
from coach.records.models import ExerciseRecord, Patient, RepetitionRecord, SessionDetail
from coach.records.store import SessionStore
from coach.session.engine import Repetition, Summary

BUNDLE_FORMAT = "facecoach-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
#: a bundle larger than this is not a patient's history (protects against zip bombs)
MAX_MEMBER_BYTES = 50 * 1024 * 1024


class BundleError(CoachError):
    """A bundle cannot be exported or imported; nothing was written."""


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


def export_bundle(store: SessionStore, patient: Patient, path: Path) -> int:
    """Write all of the patient's finished sessions to `path`; returns how many."""
    records = [r for r in store.history.sessions(limit=100_000, patient_id=patient.id) if r.status != "in_progress"]
    members: dict[str, bytes] = {}
    for record in reversed(records):  # oldest first
        detail = store.history.session_detail(record.id)
        members[f"sessions/{detail.uid}.json"] = json.dumps(_jsonable(detail), indent=1).encode()
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "app_version": __version__,
        "created_at": datetime.now().astimezone().isoformat(),
        "patient": patient.to_json(),
        "sessions": list(members),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    partial = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
            for name, data in members.items():
                archive.writestr(name, data)
        partial.replace(path)  # never leave a half-written bundle under the real name
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BundleError(f"cannot write bundle {path}: {exc.strerror or exc}") from exc
    return len(members)


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data or not isinstance(data[key], kind) or (isinstance(data[key], bool) and kind is not bool):
        raise BundleError(f"{where}: '{key}' is missing or not valid")
    return data[key]


def _time(text: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise BundleError(f"{where}: {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise BundleError(f"{where}: {text!r} has no time zone")
    return moment


def _optional_time(text: Any, where: str) -> datetime | None:
    return None if text is None else _time(text, where)


def _repetition(data: dict[str, Any], where: str) -> Repetition:
    try:
        return Repetition(**{f.name: data[f.name] for f in dataclasses.fields(Repetition)})
    except (KeyError, TypeError) as exc:
        raise BundleError(f"{where}: repetition is incomplete ({exc})") from None


def _summary(data: Any, where: str) -> Summary | None:
    if data is None:
        return None
    try:
        return Summary(**{f.name: data[f.name] for f in dataclasses.fields(Summary)})
    except (KeyError, TypeError) as exc:
        raise BundleError(f"{where}: summary is incomplete ({exc})") from None


def session_from_json(data: Any, where: str) -> SessionDetail:
    """Rebuild a stored session from its bundle JSON, checking every field's type."""
    if not isinstance(data, dict):
        raise BundleError(f"{where}: not a session")
    exercises = []
    for i, ex in enumerate(_need(data, "exercises", list, where)):
        at = f"{where}, exercise {i + 1}"
        if not isinstance(ex, dict):
            raise BundleError(f"{at}: not an exercise")
        reps = []
        for j, rep in enumerate(_need(ex, "repetitions", list, at)):
            rat = f"{at}, repetition {j + 1}"
            if not isinstance(rep, dict):
                raise BundleError(f"{rat}: not a repetition")
            reps.append(
                RepetitionRecord(
                    id=0,
                    number=_need(rep, "number", int, rat),
                    recorded_at=_time(rep.get("recorded_at"), rat),
                    repetition=_repetition(_need(rep, "repetition", dict, rat), rat),
                )
            )
        exercises.append(
            ExerciseRecord(
                id=0,
                position=_need(ex, "position", int, at),
                exercise_id=_need(ex, "exercise_id", str, at),
                exercise_name=_need(ex, "exercise_name", str, at),
                primary_measure=ex.get("primary_measure"),
                target=_need(ex, "target", dict, at),
                started_at=_time(ex.get("started_at"), at),
                ended_at=_optional_time(ex.get("ended_at"), at),
                status=_need(ex, "status", str, at),
                summary=_summary(ex.get("summary"), at),
                repetitions=tuple(reps),
            )
        )
    return SessionDetail(
        id=0,
        started_at=_time(data.get("started_at"), where),
        ended_at=_optional_time(data.get("ended_at"), where),
        status=_need(data, "status", str, where),
        programme_id=data.get("programme_id"),
        programme_name=data.get("programme_name"),
        source=_need(data, "source", str, where),
        resting=data.get("resting"),
        app_version=_need(data, "app_version", str, where),
        exercises=tuple(exercises),
        patient_id=None,
        kind=_need(data, "kind", str, where),
        uid=_need(data, "uid", str, where),
    )


def _patient_from_json(data: Any, where: str) -> Patient:
    if not isinstance(data, dict):
        raise BundleError(f"{where}: the patient is missing")
    onset = data.get("onset_date")
    try:
        onset_date = None if onset is None else date.fromisoformat(onset)
    except (TypeError, ValueError):
        raise BundleError(f"{where}: onset date {onset!r} is not a date") from None
    now = datetime.now().astimezone()
    return Patient(
        id=0,
        code=_need(data, "code", str, where),
        name=data.get("display_name"),
        affected_side=data.get("affected_side", "unknown"),
        onset_date=onset_date,
        cause=data.get("cause"),
        notes=data.get("notes"),
        created_at=now,
        updated_at=now,
    )


def read_bundle(path: Path) -> tuple[Patient, list[SessionDetail]]:
    """Read and check a whole bundle; raises BundleError naming the first problem."""
    where = f"bundle {path}"
    if not path.is_file():
        raise BundleError(f"{where}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, where)
            sessions = _read_sessions(archive, manifest, where)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BundleError(f"{where}: damaged or incomplete ({exc}); ask for the file again") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{where}: damaged: {exc}") from None
    except OSError as exc:
        raise BundleError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    return _patient_from_json(manifest.get("patient"), where), sessions


def _read_manifest(archive: zipfile.ZipFile, where: str) -> dict[str, Any]:
    """The manifest, checked: our format, a version this app reads, and members that match it."""
    infos = {info.filename: info for info in archive.infolist()}
    if MANIFEST not in infos:
        raise BundleError(f"{where}: not a session bundle (no {MANIFEST})")
    if any(info.file_size > MAX_MEMBER_BYTES for info in infos.values()):
        raise BundleError(f"{where}: a member is implausibly large; refusing it")
    manifest = json.loads(archive.read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{where}: not a Facial Symmetry Coach session bundle")
    version = manifest.get("version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise BundleError(
            f"{where}: made by a newer version of the app (bundle version {version}, this app reads "
            f"up to {BUNDLE_VERSION}); update the app, then import it again"
        )
    checksums = _need(manifest, "sha256", dict, where)
    names = _need(manifest, "sessions", list, where)
    extra = set(infos) - {MANIFEST} - set(names)
    if extra or set(checksums) != set(names):
        raise BundleError(f"{where}: its contents do not match its manifest (tampered or damaged)")
    return manifest


def _read_sessions(archive: zipfile.ZipFile, manifest: dict[str, Any], where: str) -> list[SessionDetail]:
    """Every session the manifest lists, each refused unless it matches its checksum."""
    present = set(archive.namelist())
    sessions = []
    for name in manifest["sessions"]:
        if name not in present:
            raise BundleError(f"{where}: {name} is missing (the file is incomplete)")
        data = archive.read(name)
        if hashlib.sha256(data).hexdigest() != manifest["sha256"][name]:
            raise BundleError(f"{where}: {name} does not match its checksum (tampered or damaged)")
        sessions.append(session_from_json(json.loads(data), f"{where}, {name}"))
    return sessions


def import_bundle(store: SessionStore, path: Path) -> tuple[Patient, int, int]:
    """Check the whole bundle, then add its sessions in one transaction (all or none).

    Returns the patient, how many sessions were added, and how many were already here.
    """
    patient, sessions = read_bundle(path)
    try:
        return store.imports.patient_history(patient, sessions)
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"bundle {path}: {exc}; nothing was imported") from None
