"""Comparing the patient's two sides: how even a movement is, and which side is weaker.

Both the recorded analysis and the live coach score sides this way, and the sound
turns the same evenness into what the patient hears, so the rule lives here, below them.
"""

from __future__ import annotations

#: part of a movement that is within measurement error whatever the jitter at rest:
#: scale and alignment errors grow with the movement (a healthy real smile reads 3 %
#: apart on its two sides)
RELATIVE_NOISE = 0.05


def symmetry(left: float, right: float) -> float | None:
    """Weaker ÷ stronger, 0 to 1 (movement against the intended direction counts as 0);
    None when neither side moved."""
    stronger = max(left, right)
    if stronger <= 0:
        return None
    return max(min(left, right), 0.0) / stronger


def weaker_side(left: float, right: float, noise_mm: float) -> str | None:
    """'left' or 'right', or None where the sides differ by no more than the noise:
    the jitter at rest (noise_mm) or RELATIVE_NOISE of the stronger side's movement."""
    if abs(left - right) <= max(noise_mm, RELATIVE_NOISE * max(left, right)):
        return None
    return "left" if left < right else "right"
