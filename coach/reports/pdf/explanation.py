"""What the report says about its own numbers: how they were measured, and what they are not.

Framed on page 1 so that no reader takes the measurements for a clinical grading.
"""

from __future__ import annotations

from coach.base.formats import number_text
from coach.base.i18n import N_, tr
from coach.reports.pdf.flow import Block, boxed
from coach.session import engine

ABOUT_TITLE = N_("About these numbers")
#: filled in with `noise`, the typical measurement noise in mm
ABOUT_LINES = (
    N_(
        "Movement: how far landmarks on each side of the face moved from the resting face, in millimetres. The "
        "landmarks come from a face-landmark model on an ordinary webcam picture; millimetres are scaled from the "
        "iris, taken as 11.7 mm across."
    ),
    N_("Symmetry: the weaker side's movement divided by the stronger side's (100 % = both sides moved the same)."),
    N_(
        "Synkinesis: unwanted movement of another region during the exercise (for example the eye narrowing during "
        "a smile), as a percentage of that region's size at rest."
    ),
    N_(
        "Typical measurement noise is about {noise} mm; sides closer than that, or than 5 % of the movement, count "
        "as even. Light, head turn and distance from the camera change the numbers, so compare sessions recorded "
        "the same way."
    ),
    N_("Left and right are always the patient's own (anatomical) sides, whatever the camera picture shows."),
)
DISCLAIMER = N_(
    "This tool does not diagnose or grade facial palsy and does not replace clinical assessment. It records "
    "facial exercises, done at home or filmed in clinic, for discussion with the treating clinician."
)


def about_box() -> Block:
    """The statement of what the numbers are and are not, boxed."""
    noise = number_text(engine.NOISE_FLOOR_MM, 1)
    return boxed(tr(ABOUT_TITLE), [tr(line, noise=noise) for line in ABOUT_LINES], tr(DISCLAIMER))
