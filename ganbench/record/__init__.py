"""Stage 5, record: what runs produce, kept — the SQLite store, kept generators, exports and tracker sinks."""
