"""The therapist's window, one module per view: the window shell with the patient list
(`window`), the patient form, the sessions, programme and recorded-video tabs, and the
pieces they share (`parts`). The views show and forward; the work is in `coach.usecases`."""
