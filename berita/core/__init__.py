"""What every other package shares: the schema, the settings, text and language helpers, the lexicon."""
