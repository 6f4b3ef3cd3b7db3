"""Ingest: storing contacts from connectors, with the cursors that cover them."""
