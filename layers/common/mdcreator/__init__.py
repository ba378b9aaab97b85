"""Shared layer of the MD Creator API: every function imports from here."""
