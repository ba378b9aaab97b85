"""Workspaces: the tenants, their members and roles, and invitations by mail."""
