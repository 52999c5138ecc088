"""Indonesian: the words, patterns and titles that answering, retrieval and ingest read news with."""
