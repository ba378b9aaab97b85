"""A dependency down under a mailed link: 503 fast, and the link still works afterwards."""

from __future__ import annotations

from tests.functions.test_faults import UNAVAILABLE, Stack, stack  # noqa: F401
from tests.functions.test_verify_email import verify
from tests.support.handlers import signup
from tests.support.mail import MailServer


def test_a_link_used_while_postgres_is_down_is_not_spent(
    stack: Stack,  # noqa: F811
    email: str,
    mail_server: MailServer,
) -> None:
    assert signup(email).status == 201
    token = mail_server.mailbox.wait_for(email)[0].token
    stack.postgres.stop()
    answer = verify(token)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    stack.postgres.start()
    assert verify(token).body["email_verified"] is True


def test_a_link_used_while_redis_is_down_is_503(
    stack: Stack,  # noqa: F811
    email: str,
    mail_server: MailServer,
) -> None:
    assert signup(email).status == 201
    token = mail_server.mailbox.wait_for(email)[0].token
    stack.redis.stop()
    assert (verify(token).status, verify(token).body) == (503, UNAVAILABLE)
    stack.redis.start()  # a Redis that keeps nothing on disk: the link is gone with it
    assert verify(token).status == 400
