"""What was done to a session while it ran, in words: one line per change or note, the same in
the supervision view, the history, the therapist's window and the report.

A change is kept as data (`action`, `detail`, `text`: see `coach.records.models.SteeringRecord`
and `coach.session.steering`); these functions word it in the language in use when shown, so a
session steered in German reads in English on an English screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coach.base.i18n import N_, tr

#: who asked (commands.Origin's values), as a log line names them
ORIGIN_WORDS = {
    "patient": N_("patient"),
    "therapist": N_("therapist"),
    "therapist_remote": N_("therapist (remote)"),
    "app": N_("app"),
}
#: the feedback schedules (commands.FeedbackSchedule), as a therapist chooses them
FEEDBACK_WORDS = {
    "full": N_("bars on every repetition"),
    "faded": N_("bars on some repetitions, a result after each"),
    "summary": N_("a result at the end of the exercise only"),
}
#: the changes to what is asked of an exercise (its target, hold or feedback)
ASKING_ACTIONS = frozenset({"set_target", "target_from_last_repetition", "set_hold", "set_feedback"})
#: the changes that need no detail to be told
_PLAIN_ACTIONS = {
    "pause": N_("paused"),
    "resume": N_("resumed"),
    "skip": N_("skipped ahead"),
    "repeat_exercise": N_("started the exercise again"),
    "stop": N_("stopped the session"),
    "accept_rest": N_("took the face as it was as the resting face"),
    "previous_exercise": N_("went back to the previous exercise"),
}


def _mm(value: object) -> str:
    return f"{float(value):.1f}" if isinstance(value, int | float) else "?"  # type: ignore[arg-type]


def _band(band: object) -> str:
    if isinstance(band, list | tuple) and len(band) == 2:
        return tr("{low}–{high} mm", low=_mm(band[0]), high=_mm(band[1]))
    return "?"


def feedback_word(schedule: object) -> str:
    """A feedback schedule in words (its code if this version does not know it)."""
    words = FEEDBACK_WORDS.get(str(schedule))
    return tr(words) if words else str(schedule)


def reason_words(reason: str | None) -> str:
    """Why a repetition was set aside, in the language in use: one of the reasons offered
    (steering.DISCARD_REASONS, kept in English) translated, a therapist's own words as written."""
    return tr(reason) if reason else ""


def origin_word(origin: str) -> str:
    words = ORIGIN_WORDS.get(origin)
    return tr(words) if words else origin


def steering_words(action: str, detail: Mapping[str, Any], text: str | None) -> str:
    """One change (or note) in words, without who or when: "set the target to 2.0–5.0 mm (was
    2.0–8.0 mm)". An action this version does not know (kept by a newer one) is named as kept."""
    if action in _PLAIN_ACTIONS:
        return tr(_PLAIN_ACTIONS[action])
    if action == "note":
        return tr("note: {words}", words=text or "")
    if action == "set_target":
        return tr("set the target to {band} (was {was})", band=_band(detail.get("target_mm")),
                  was=_band(detail.get("was")))  # fmt: skip
    if action == "target_from_last_repetition":
        return tr("set the target from repetition {number}: {band} (was {was})", number=detail.get("number", "?"),
                  band=_band(detail.get("target_mm")), was=_band(detail.get("was")))  # fmt: skip
    if action == "set_hold":
        return tr("set the hold to {seconds} s (was {was} s)", seconds=_mm(detail.get("hold_s")),
                  was=_mm(detail.get("was")))  # fmt: skip
    if action == "set_feedback":
        return tr("set the feedback to {schedule} (was {was})", schedule=feedback_word(detail.get("feedback")),
                  was=feedback_word(detail.get("was")))  # fmt: skip
    if action == "discard_repetition":
        return tr(
            "set repetition {number} aside: {reason}", number=detail.get("number", "?"), reason=reason_words(text)
        )
    if action == "redo_repetition":
        return tr("had repetition {number} done again", number=detail.get("number", "?"))
    return action


def clock_words(at_s: float) -> str:
    """A time in the session as a therapist reads it: minutes and seconds from its start ("03:07")."""
    whole = max(0, int(at_s))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def log_line(at_s: float, origin: str, action: str, detail: Mapping[str, Any], text: str | None) -> str:
    """One line of the log: "03:07 · therapist · set the target to 2.0–5.0 mm (was 2.0–8.0 mm)"."""
    return f"{clock_words(at_s)} · {origin_word(origin)} · {steering_words(action, detail, text)}"
