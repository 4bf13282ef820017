"""The `facecoach` command: argument parsing and printing only; it calls the use cases, and
with no sub-command starts the GUI."""
