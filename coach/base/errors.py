"""Errors a user can act on.

Every problem caused by input (a file, a camera, an exercise definition) is raised
as a `CoachError` whose message names the thing and says what to do; the command
line turns it into one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class CoachError(Exception):
    """A problem with the user's input, explained in one line."""


class SourceError(CoachError):
    """A frame source (camera, video, image, folder) cannot be opened or read."""


class ModelError(CoachError):
    """The landmark model is missing, corrupt or cannot be loaded."""


class ValidationError(CoachError):
    """A value breaks a rule of its field. The message is the one line for the user; the
    attributes say the same for code that words it again (the therapist's editor), so
    nobody has to take the message apart:

    `path`: the file (or what stands for it), `field`: the field's name, `problem`: what
    is wrong with it, `entry`: the 1-based exercise of a programme it is in, `value`: the
    value refused. Each is None when it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        field: str | None = None,
        problem: str | None = None,
        entry: int | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.field = field
        self.problem = problem
        self.entry = entry
        self.value = value


class ExerciseFileError(ValidationError):
    """An exercise or programme file is malformed; the message names file and field."""


class FieldValueError(ValidationError, ValueError):
    """A value given for a record (a patient's details, an exercise a programme prescribes)
    is not allowed; nothing was written."""


class StoreError(CoachError):
    """The session database cannot be opened or written; the message says what to do."""


class DamagedSessionError(StoreError):
    """One session in the database holds values that cannot be read (damaged on disk, or put
    there by an older version): it is left out of lists, exports and reports, and said so."""


class StoreBusyError(StoreError):
    """Another program held the session database for longer than the wait: trying again later works."""


class CodeTakenError(StoreError, ValidationError):
    """Another record already has this code (codes ignore case); nothing was written. Its
    `field` and `problem` say so without the database's path, for the therapist's form."""


class MeasurementError(CoachError):
    """The input was read, but nothing can be measured from it (no face, too small)."""


class ResourceError(CoachError, FileNotFoundError):
    """Data shipped with the program (exercises, model folder) is missing: reinstall."""
