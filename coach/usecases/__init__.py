"""Use cases: one function per thing a user does (analyse and save a recording, keep a
clinic's records of patients, sessions, reports and bundles, edit a programme, record a
live session, benchmark), called alike by the command line and the GUI."""
