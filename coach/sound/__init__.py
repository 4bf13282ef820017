"""Sound: what the patient hears. Spoken or toned prompts and the eye-closure sonification
for exercises done with the eyes shut; audio output that never crashes without a device."""
