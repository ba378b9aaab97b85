"""`make bench`: latency and throughput of the API, in process and through the emulation.

Prints, on this machine: GET /api/auth/me in process (handler call) and through the
emulation (p50/p99, req/s with 8 clients), start-api launch to first 200, and each endpoint
with 1 and 8 clients. Uses a throwaway database and Redis key prefix; bcrypt rounds as given.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]

from tools.database import create_database, drop_database, migrate  # noqa: E402
from tools.emulator import EmulatorProcess, start_api_args  # noqa: E402
from tools.ports import free_port  # noqa: E402
from tools.settings import fresh_keys  # noqa: E402

PASSWORD = "correct-horse-battery"
REDIS_URL = "redis://127.0.0.1:6379/0"
WARMUP_CALLS = 3


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"


def timed(call: Callable[[], Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def throughput(
    make_call: Callable[[httpx.Client], Callable[[], Any]],
    base_url: str,
    clients: int,
    seconds: float,
) -> tuple[float, list[float]]:
    """Requests per second and latencies of `clients` loops, timed after all have warmed up."""
    ready = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def worker(_: int) -> list[float]:
        samples: list[float] = []
        with httpx.Client(base_url=base_url, timeout=30) as client:
            call = make_call(client)
            for _ in range(WARMUP_CALLS):  # environments start cold; Lambda's would be warm
                call()
            ready.wait()
            while time.perf_counter() < window["end"]:
                start = time.perf_counter()
                call()
                samples.append(time.perf_counter() - start)
        return samples

    with ThreadPoolExecutor(max_workers=clients) as pool:
        batches = [pool.submit(worker, index) for index in range(clients)]
        window["end"] = float("inf")
        ready.wait()
        window["end"] = time.perf_counter() + seconds
        samples = [s for batch in batches for s in batch.result()]
    return len(samples) / seconds, samples


def expect(answer: httpx.Response, status: int) -> httpx.Response:
    if answer.status_code != status:
        raise SystemExit(
            f"{answer.request.method} {answer.request.url.path}: {answer.status_code} "
            f"{answer.text[:200]}"
        )
    return answer


def in_process_me(env: dict[str, str], count: int) -> None:
    os.environ.update(env)
    from tools.events import LambdaContext, http_event, load_function

    signup = load_function("signup").handler
    login = load_function("login").handler
    me = load_function("me").handler
    # Access logs stay on, as in Lambda, but go nowhere instead of to this console.
    for handler in logging.getLogger("mdcreator").handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the bench
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD}
    signup(http_event("POST", "/api/auth/signup", body=body), LambdaContext())
    tokens = json.loads(
        login(http_event("POST", "/api/auth/login", body=body), LambdaContext())["body"]
    )
    event = http_event(
        "GET", "/api/auth/me", headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me(event, LambdaContext())["statusCode"] == 200
    samples = timed(lambda: me(event, LambdaContext()), count)
    print(f"GET /api/auth/me in process (handler call)      {percentiles(samples)}")


def emulated(env_file: Path, args: argparse.Namespace, env: dict[str, str]) -> None:
    launch = time.perf_counter()
    build_dir = ROOT / ".aws-sam" / "build"
    options = ["--max-envs", str(args.max_envs), "--log-level", "WARNING"]
    process = EmulatorProcess(
        start_api_args(build_dir=build_dir, env_vars=env_file) + options, free_port()
    )
    try:
        base = process.url
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                try:
                    if client.get("/").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.01)
            first_200 = time.perf_counter() - launch
            print(f"start-api launch to first 200 (GET /, cold)    {first_200 * 1000:7.0f} ms")
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            body = {"email": email, "password": PASSWORD}
            expect(client.post("/api/auth/signup", json=body), 201)
            tokens = expect(client.post("/api/auth/login", json=body), 200).json()
            auth = {"Authorization": f"Bearer {tokens['access_token']}"}
            expect(client.get("/api/auth/me", headers=auth), 200)
            samples = timed(lambda: client.get("/api/auth/me", headers=auth), args.count)
            print(f"GET /api/auth/me through the emulation          {percentiles(samples)}")
        rate, samples = throughput(
            lambda c: lambda: c.get("/api/auth/me", headers=auth), base, 8, args.seconds
        )
        print(
            f"GET /api/auth/me, 8 clients                     {rate:7.0f} req/s   "
            f"{percentiles(samples)}"
        )
        endpoints(base, args, env)
    finally:
        process.stop()


def endpoints(base: str, args: argparse.Namespace, env: dict[str, str]) -> None:
    print(f"\nper endpoint through the emulation (bcrypt rounds {env['BCRYPT_ROUNDS']}):")
    with httpx.Client(base_url=base, timeout=30) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": PASSWORD}
        user_id = uuid.UUID(expect(client.post("/api/auth/signup", json=body), 201).json()["id"])

    def signup(c: httpx.Client) -> Callable[[], Any]:
        return lambda: expect(
            c.post(
                "/api/auth/signup",
                json={"email": f"b-{uuid.uuid4().hex}@example.com", "password": PASSWORD},
            ),
            201,
        )

    def login(c: httpx.Client) -> Callable[[], Any]:
        return lambda: expect(c.post("/api/auth/login", json=body), 200)

    def me(c: httpx.Client) -> Callable[[], Any]:
        token = expect(c.post("/api/auth/login", json=body), 200).json()["access_token"]
        return lambda: expect(
            c.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 200
        )

    def refresh(c: httpx.Client) -> Callable[[], Any]:
        state = {"token": expect(c.post("/api/auth/login", json=body), 200).json()["refresh_token"]}

        def call() -> None:
            answer = expect(
                c.post("/api/auth/refresh", json={"refresh_token": state["token"]}), 200
            )
            state["token"] = answer.json()["refresh_token"]

        return call

    def logout(c: httpx.Client) -> Callable[[], Any]:
        # Each logout spends a token; logging in for each would time bcrypt instead.
        tokens = mint_access_tokens(user_id, int(args.seconds * 400))
        return lambda: expect(
            c.post("/api/auth/logout", headers={"Authorization": f"Bearer {tokens.pop()}"}), 200
        )

    for name, make in [("POST signup", signup), ("POST login", login), ("GET me", me),
                       ("POST refresh", refresh), ("POST logout", logout)]:  # fmt: skip
        for clients in (1, 8):
            rate, samples = throughput(make, base, clients, args.seconds)
            print(
                f"  {name:<14} {clients} client{'s' if clients > 1 else ' '}  {rate:7.0f} req/s   "
                f"{percentiles(samples)}"
            )


def mint_access_tokens(user_id: uuid.UUID, count: int) -> list[str]:
    """Live sessions made the way login makes them, without paying bcrypt for each."""
    from mdcreator import store
    from mdcreator.tokens import create_token

    tokens = []
    for _ in range(count):
        session_id = uuid.uuid4()
        store.create_session(user_id, session_id, uuid.uuid4())
        tokens.append(create_token(user_id, session_id, "access"))
    return tokens


def _delete_keys(prefix: str) -> None:
    from redis import Redis

    client = Redis.from_url(REDIS_URL)
    for batch in _batches(client.scan_iter(f"{prefix}*", count=1000), 1000):
        client.delete(*batch)
    client.close()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="sequential samples")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput run")
    parser.add_argument("--bcrypt-rounds", type=int, default=12)
    parser.add_argument("--max-envs", type=int, default=4)
    args = parser.parse_args()

    url = create_database("mdc_bench")
    prefix = f"mdc-bench-{uuid.uuid4().hex[:6]}:"
    try:
        migrate(url)
        env = {
            "ENV": "test",
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            **fresh_keys(),
            "BCRYPT_ROUNDS": str(args.bcrypt_rounds),
            "LOG_LEVEL": "INFO",
            "SIGNUP_IP_MAX": "1000000",
            "LOGIN_IP_MAX_FAILURES": "1000000",
        }
        print(f"machine: {os.cpu_count()} cores; bcrypt rounds {args.bcrypt_rounds}\n")
        in_process_me(env, args.count)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"Parameters": env}, handle)
        try:
            emulated(Path(handle.name), args, env)
        finally:
            os.unlink(handle.name)
    finally:
        drop_database(url)
        _delete_keys(prefix)
    print("\ncold init per function (fresh process, median of 5):")
    sys.stdout.flush()
    os.system(
        f"{ROOT / '.venv-runtime' / 'bin' / 'python'} {ROOT / 'scripts' / 'bench_cold.py'} --runs 5"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
