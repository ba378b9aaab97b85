"""Each function's cold start loads what its routes use and nothing else.

Every function is imported in a fresh interpreter, as Lambda does (function folder + layer on
the path), and the modules it loaded are compared with what it has no business with.
"""

from __future__ import annotations

import functools

import pytest

from tests.support.lambda_events import load_function
from tools.coldstart import FUNCTIONS, Probe, probe

# redis-py imports the top-level `cryptography` package to see whether it is there; the
# signing code is cryptography.hazmat. And cryptography's SSH key support imports bcrypt's
# KDF whenever bcrypt is installed: with jwt comes the bcrypt module (not our password code).
TOKENS = ("jwt", "cryptography.hazmat", "mdcreator.auth.tokens", "mdcreator.auth.keys")
DATABASE = ("sqlalchemy", "psycopg2", "mdcreator.infra.db")
REDIS = ("redis", "mdcreator.infra.redis")
MAIL = ("smtplib", "mdcreator.infra.mail", "mdcreator.auth.recovery", "mdcreator.auth.email_change")
PASSWORDS = ("mdcreator.auth.passwords", "mdcreator.auth.credentials", "mdcreator.auth.login")
LINKS = ("mdcreator.auth.links", "mdcreator.auth.reset")
# Markdown rendering: only the html preview and the public share page render.
RENDER = ("markdown_it", "nh3", "mdcreator.documents.render")
DEVICES = "mdcreator.auth.devices"  # new-device notices and their deny links
# Outside AWS no secret ARN is set and boto3 has no reason to load (core.aws_secrets).
EVERYWHERE = ("boto3", "botocore")

# What a function could load but must not. Where a row allows a group, its routes need it:
# login mails a new device's notice (MAIL); every module that touches sessions loads the
# tokens module (sessions keep refresh-token digests made there), so signup, whose password
# change path ends sessions, has TOKENS; logout_all records a security event (DATABASE).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "root": ("mdcreator.auth", "bcrypt", *TOKENS, *DATABASE, *REDIS, *MAIL),
    "docs": ("mdcreator.auth", "bcrypt", *TOKENS, *DATABASE, *REDIS, *MAIL),
    "health": ("mdcreator.auth", "bcrypt", *TOKENS, *MAIL),
    "jwks": (*DATABASE, *REDIS, *MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.sessions"),
    "logout": (*DATABASE, *MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.limits"),
    "logout_all": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.limits"),
    "me": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.limits", "mdcreator.auth.onetime"),
    "refresh": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.limits", "mdcreator.auth.onetime"),
    "login": (*LINKS, "mdcreator.auth.recovery", "mdcreator.auth.credentials"),
    "signup": (*LINKS, "mdcreator.auth.signin", "mdcreator.auth.access", DEVICES),
    "password_forgot": ("bcrypt", *TOKENS, *PASSWORDS, *LINKS, "mdcreator.auth.signin"),
    "verify_email": ("bcrypt", *TOKENS, *MAIL, *PASSWORDS, "mdcreator.auth.limits"),
    "email_change_confirm": ("bcrypt", *TOKENS, *MAIL, *PASSWORDS, "mdcreator.auth.limits"),
    "email_change_revert": (*MAIL, "mdcreator.auth.login", DEVICES),
    "verify_email_request": (*PASSWORDS, *LINKS, "mdcreator.auth.signin"),
    "email_change": (*LINKS, "mdcreator.auth.signin", "mdcreator.auth.login"),
    "password": (*MAIL, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.login"),
    "delete_account": (*MAIL, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.login"),
    "password_reset": (*MAIL, "mdcreator.auth.login", DEVICES),
    "sessions": (*PASSWORDS, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.limits"),
    "security_events": (
        *MAIL,
        *PASSWORDS,
        *LINKS,
        "mdcreator.auth.signin",
        "mdcreator.auth.limits",
    ),
    "workspaces": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.limits"),
    "members": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.limits"),
    "invitations": (*PASSWORDS, *LINKS, "mdcreator.auth.recovery", "mdcreator.auth.signin"),
    "attachments": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.limits"),
    "attachment": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin", "mdcreator.auth.limits"),
    "documents": (*MAIL, *PASSWORDS, *LINKS, *RENDER, "mdcreator.auth.signin"),
    "document_html": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin", "boto3"),
    "revisions": (*MAIL, *PASSWORDS, *LINKS, *RENDER, "mdcreator.auth.signin"),
    "shares": (*MAIL, *PASSWORDS, *LINKS, *RENDER, "mdcreator.auth.signin"),
    "search": (*MAIL, *PASSWORDS, *LINKS, *RENDER, "mdcreator.auth.signin"),
    "public_share": (*MAIL, *PASSWORDS, *LINKS, "mdcreator.auth.signin"),
    # Scheduled, not behind the gateway: no create_app, no token, no Redis.
    "attachments_purge": ("mdcreator.auth", *TOKENS, *REDIS, *MAIL),
    "purge_security_events": (*TOKENS, *REDIS, *MAIL, *PASSWORDS, "mdcreator.auth.sessions"),
    "purge_documents": (*TOKENS, *REDIS, *MAIL, *PASSWORDS, *RENDER),
}
NAMES = sorted(path.name for path in FUNCTIONS.iterdir() if (path / "app.py").exists())
SCHEDULED = ("attachments_purge", "purge_documents", "purge_security_events")


@functools.cache
def _probe(name: str) -> Probe:
    return probe(FUNCTIONS / name)


def test_every_function_has_a_row() -> None:
    assert sorted(FORBIDDEN) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_function_loads_no_module_its_routes_do_not_use(name: str) -> None:
    loaded = _probe(name)
    assert [module for module in (*EVERYWHERE, *FORBIDDEN[name]) if loaded.has(module)] == []


@pytest.mark.parametrize("name", ["me", "login", "health"])
def test_the_probe_sees_what_a_function_does_load(name: str) -> None:
    # The check above could pass by seeing nothing: these are what the routes need.
    needs = {"me": TOKENS + DATABASE + REDIS, "login": PASSWORDS[:1], "health": DATABASE + REDIS}
    assert all(_probe(name).has(module) for module in needs[name])


@pytest.mark.parametrize("name", [name for name in NAMES if name not in SCHEDULED])
def test_the_service_of_a_function_is_its_folder_name(name: str) -> None:
    # The `service` of log lines and the dimension of metrics: the template's alarms name it.
    assert load_function(name).app.state.service == name
