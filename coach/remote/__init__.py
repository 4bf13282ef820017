"""Supervision from another place: a therapist follows and steers a patient's home session
through a relay the clinic runs (an MQTT broker, Mosquitto: docs/remote.md), numbers only.

Both apps connect outward to the relay. They pair with a short code the patient's app shows
(`pairing`: a SPAKE2 key agreement, one try per code), then every message is sealed end to end
with a key per direction and a sequence number (`sealing`), so the relay sees only ciphertext
and a replayed, tampered or foreign message is refused and logged. What travels is the live
session's events and the therapist's commands (`wire`), never a picture. A `Link` (`link`)
keeps the two in step over a bad connection: resends from the sequence number the other side
is missing, heartbeats, resumption after the relay or the network comes back. `patient_side`
shares a live session; `therapist_side` follows one as if it were on this computer, and files
the finished session in the therapist's records, checked as an imported bundle is.
"""
