"""POST /api/auth/login in process (handler calls): p50/p99 of correct and wrong passwords.

    .venv/bin/python scripts/bench_login.py [--count 300] [--bcrypt-rounds 4]

One account, logins with the device token of the first (the steady state of a returning
browser) and wrong passwords from fresh clients; a throwaway database and Redis prefix.
What security events and new-device checks cost a login shows against a checkout without
them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]

from tools.database import create_database, drop_database, migrate  # noqa: E402
from tools.settings import PROFILES, every_setting, fresh_keys  # noqa: E402

PASSWORD = "correct-horse-battery"
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms"


def _timed(call: Callable[[int], Any], count: int) -> list[float]:
    samples = []
    for index in range(count):
        started = time.perf_counter()
        call(index)
        samples.append(time.perf_counter() - started)
    return samples


def run(count: int) -> None:
    from tools.events import LambdaContext, http_event, load_function

    signup, login = load_function("signup").handler, load_function("login").handler
    for handler in logging.getLogger("mdcreator").handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the bench
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    body: dict[str, Any] = {"email": email, "password": PASSWORD}
    headers = {"user-agent": AGENT}
    signup(http_event("POST", "/api/auth/signup", body=body), LambdaContext())
    first = json.loads(
        login(http_event("POST", "/api/auth/login", body=body, headers=headers), LambdaContext())[
            "body"
        ]
    )
    known = {**body, "device_token": first["device_token"]}

    def correct(_: int) -> None:
        event = http_event("POST", "/api/auth/login", body=known, headers=headers)
        assert login(event, LambdaContext())["statusCode"] == 200

    def wrong(index: int) -> None:
        event = http_event(
            "POST",
            "/api/auth/login",
            body={"email": email, "password": "wrong-password-1"},
            headers=headers,
            source_ip=f"198.51.{index // 250}.{index % 250 + 1}",
        )
        assert login(event, LambdaContext())["statusCode"] == 401

    for _ in range(5):
        correct(0)
    print(f"login, correct password, known device  {_ms(_timed(correct, count))}")
    print(f"login, wrong password (fresh client)   {_ms(_timed(wrong, count))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--bcrypt-rounds", type=int, default=4)
    args = parser.parse_args()
    url = create_database("mdc_bench_login")
    try:
        migrate(url)
        os.environ.update(
            every_setting(
                {
                    **PROFILES["test"],
                    "DATABASE_URL": url,
                    "REDIS_URL": "redis://127.0.0.1:6379/0",
                    "REDIS_KEY_PREFIX": f"mdc-bench-{uuid.uuid4().hex[:6]}:",
                    **fresh_keys(),
                    "BCRYPT_ROUNDS": str(args.bcrypt_rounds),
                    "LOGIN_ACCOUNT_MAX_FAILURES": "1000000",
                }
            )
        )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"load average {load}; bcrypt rounds {args.bcrypt_rounds}; {args.count} calls each")
        run(args.count)
    finally:
        drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
