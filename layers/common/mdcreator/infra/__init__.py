"""Clients of what the functions talk to: Postgres, Redis, SMTP. No domain logic."""
