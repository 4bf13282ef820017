"""Facial Symmetry Coach: per-side facial movement measured from a webcam or video.

The measuring core (sources, landmarks, geometry, measures, exercises, analysis)
imports no Qt and can be used from a script.
"""

__version__ = "0.1.0"
