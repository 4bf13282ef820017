"""Plans: what the patient is asked to do. Exercise and programme definitions, read from the
TOML files a therapist can edit, validated on load with errors naming file and field."""
