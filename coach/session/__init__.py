"""Session: measures over time during an exercise. The neutral reference, repetitions and
their scores (engine), the live coaching state machine, the live capture/processing
threads, the analysis of a recorded video, and the picture kept at a movement's peak."""
