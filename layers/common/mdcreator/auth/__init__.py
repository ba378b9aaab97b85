"""Accounts, sessions and tokens. Other domains use `auth.deps` (CurrentUser) only."""
