"""Errors a user can act on.

Every problem caused by input (a file, a camera, an exercise definition) is raised
as a `CoachError` whose message names the thing and says what to do; the command
line turns it into one line on stderr and exit status 2, never a traceback.
"""


class CoachError(Exception):
    """A problem with the user's input, explained in one line."""


class SourceError(CoachError):
    """A frame source (camera, video, image, folder) cannot be opened or read."""


class ModelError(CoachError):
    """The landmark model is missing, corrupt or cannot be loaded."""


class ExerciseFileError(CoachError):
    """An exercise or programme file is malformed; the message names file and field."""


class MeasurementError(CoachError):
    """The input was read, but nothing can be measured from it (no face, too small)."""


class ResourceError(CoachError, FileNotFoundError):
    """Data shipped with the program (exercises, model folder) is missing: reinstall."""
