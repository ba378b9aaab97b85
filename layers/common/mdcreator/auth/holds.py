"""Addresses an email change gave up, held for the account that gave them up.

While the change can be reverted (EMAIL_CHANGE_REVERT_DAYS), no other account may take the
old address: whoever took over the account and moved it away would otherwise sign up with
the old address and make the owner's revert link fail.

Key (under settings.redis_key_prefix): email-held:{sha256(lower(email))} -> user id, TTL the
revert window.
"""

from __future__ import annotations

import hashlib
import uuid

from ..core.config import get_settings
from ..infra.redis import fail_closed, get_redis, key


def _key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return key("email-held", "{" + digest + "}")


@fail_closed
def hold_address(email: str, user_id: uuid.UUID) -> None:
    seconds = get_settings().email_change_revert_days * 86_400
    get_redis().set(_key(email), str(user_id), ex=seconds)


@fail_closed
def is_held_for_another(email: str, user_id: uuid.UUID | None = None) -> bool:
    holder = get_redis().get(_key(email))
    return holder is not None and holder != str(user_id)


@fail_closed
def release_address(email: str) -> None:
    get_redis().delete(_key(email))
