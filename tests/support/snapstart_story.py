"""A SnapStart life in one process tree, as Lambda runs it (run as a module, not imported):

init (the functions' modules, a priming login that opens Postgres and Redis connections)
→ before-snapshot hooks → fork twice (each child = one environment restored from the same
snapshot) → after-restore hooks → login + GET /me. Prints one JSON line: what each phase saw
(Postgres backend pid, Redis client id, a random draw, answers).

    python -m tests.support.snapstart_story EMAIL PASSWORD
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]


def _connections() -> dict[str, Any]:
    from sqlalchemy import text

    from mdcreator.infra.db import get_engine
    from mdcreator.infra.redis import get_redis

    # Pool of one: the connection a request just used is the one handed out here.
    with get_engine().connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return {"postgres_pid": backend, "redis_client": get_redis().client_id()}


def _serve(email: str, password: str) -> dict[str, Any]:
    from tests.support.lambda_events import http_event, invoke

    body = {"email": email, "password": password}
    login = invoke("login", http_event("POST", "/api/auth/login", body=body))
    headers = {"authorization": f"Bearer {login.body.get('access_token', '')}"}
    me = invoke("me", http_event("GET", "/api/auth/me", headers=headers))
    return {"login": login.status, "me": me.status, **_connections()}


def _run(hooks: list[Any]) -> None:
    for func, args, kwargs in hooks:
        func(*args, **kwargs)


def _environment(email: str, password: str, write: int) -> None:
    from snapshot_restore_py import get_after_restore

    try:
        _run(get_after_restore())
        seen = {**_serve(email, password), "random": random.random(), "pid": os.getpid()}
    except Exception as exc:  # reported to the parent, which fails the test with it
        seen = {"error": repr(exc)}
    os.write(write, json.dumps(seen).encode())
    os._exit(0)


def main(email: str, password: str) -> int:
    from snapshot_restore_py import get_before_snapshot

    from tests.support.lambda_events import load_function

    for name in ("login", "me"):
        load_function(name)
    primed = _serve(email, password)
    _run(get_before_snapshot())
    restored = []
    for _ in range(2):
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read)
            _environment(email, password, write)
        os.close(write)
        with os.fdopen(read) as pipe:
            restored.append(json.loads(pipe.read() or '{"error": "no answer"}'))
        os.waitpid(child, 0)
    sys.stdout.write(json.dumps({"init": primed, "restored": restored}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
