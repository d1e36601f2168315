"""Extraction of statements and events from resolved mentions."""
