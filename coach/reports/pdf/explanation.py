"""What the report says about its own numbers: how they were measured, and what they are not.

Framed on page 1 so that no reader takes the measurements for a clinical grading.
"""

from __future__ import annotations

from coach.reports.pdf.flow import Block, boxed
from coach.session import engine

ABOUT_TITLE = "About these numbers"
ABOUT_LINES = (
    "Movement: how far landmarks on each side of the face moved from the resting face, in millimetres. The "
    "landmarks come from a face-landmark model on an ordinary webcam picture; millimetres are scaled from the "
    "iris, taken as 11.7 mm across.",
    "Symmetry: the weaker side's movement divided by the stronger side's (100 % = both sides moved the same).",
    "Synkinesis: unwanted movement of another region during the exercise (for example the eye narrowing during "
    "a smile), as a percentage of that region's size at rest.",
    f"Typical measurement noise is about {engine.NOISE_FLOOR_MM:.1f} mm; sides closer than that, or than 5 % of the "
    "movement, count as even. Light, head "
    "turn and distance from the camera change the numbers, so compare sessions recorded the same way.",
    "Left and right are always the patient's own (anatomical) sides, whatever the camera picture shows.",
)
DISCLAIMER = (
    "This tool does not diagnose or grade facial palsy and does not replace clinical assessment. It records "
    "home exercise practice for discussion with the treating clinician."
)


def about_box() -> Block:
    """The statement of what the numbers are and are not, boxed."""
    return boxed(ABOUT_TITLE, ABOUT_LINES, DISCLAIMER)
