"""Records: what is kept. The SQLite session store (patients, programmes, sessions,
repetitions, pictures), the history read back, trends, and session bundles."""
