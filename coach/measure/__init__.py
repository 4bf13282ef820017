"""Measure: landmarks from MediaPipe, pose normalisation in 3D, the mm scale, and the
per-side measures (brow, eye, mouth) of one face at one moment. No notion of an exercise."""
