"""Attachments over HTTP against a running API (`make run`): presign and complete p50 next to
GET /api/auth/me in the same run, and one upload of MAX_UPLOAD_SIZE_MB to the local S3.

    python scripts/bench_attachments.py --base-url http://localhost:3000 [--count 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid

import httpx

PASSWORD = "correct-horse-battery"
PNG = b"\x89PNG\r\n\x1a\n"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def _timed(
    api: httpx.Client, method: str, path: str, **kwargs: object
) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = api.request(method, path, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - start, answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://localhost:3000")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--big-mb", type=int, default=50)
    args = parser.parse_args(argv)
    api = httpx.Client(base_url=args.base_url, timeout=60)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).raise_for_status()
    login = api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    headers = {"authorization": f"Bearer {login['access_token']}"}
    workspace = api.post("/api/workspaces", json={"name": "Bench"}, headers=headers).json()["id"]
    content = PNG + b"\0" * 1000
    declared = {"filename": "b.png", "content_type": "image/png", "size": len(content)}
    me, presign, complete = [], [], []
    for _ in range(args.count):
        spent, _answer = _timed(api, "GET", "/api/auth/me", headers=headers)
        me.append(spent)
        path = f"/api/workspaces/{workspace}/attachments"
        spent, created = _timed(api, "POST", path, json=declared, headers=headers)
        presign.append(spent)
        upload = created.json()["upload"]
        httpx.post(upload["url"], data=upload["fields"], files={"file": ("b", content)})
        done = f"/api/attachments/{created.json()['id']}/complete"
        spent, _answer = _timed(api, "POST", done, headers=headers)
        complete.append(spent)
    print(f"GET /api/auth/me          {_ms(me)}")
    print(f"POST …/attachments        {_ms(presign)}")
    print(f"POST …/complete           {_ms(complete)}")
    big = PNG + b"\0" * (args.big_mb * 1024 * 1024 - len(PNG))
    start = time.perf_counter()
    declared = {"filename": "big.png", "content_type": "image/png", "size": len(big)}
    created = api.post(f"/api/workspaces/{workspace}/attachments", json=declared, headers=headers)
    upload = created.json()["upload"]
    sent = httpx.post(
        upload["url"], data=upload["fields"], files={"file": ("big", big)}, timeout=300
    )
    done = api.post(f"/api/attachments/{created.json()['id']}/complete", headers=headers)
    elapsed = time.perf_counter() - start
    print(f"{args.big_mb} MB end to end (presign, upload {sent.status_code}, complete "
          f"{done.status_code}): {elapsed:.2f} s")  # fmt: skip
    return 0 if done.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
