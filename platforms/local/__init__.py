"""The local connector: a JSONL inbox and outbox, for the demo, tests and air-gapped trials."""
