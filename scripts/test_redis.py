"""Check that Redis answers at REDIS_URL (the seed's phase 0 check)."""

from __future__ import annotations

import os
import sys

from redis import Redis
from redis.exceptions import RedisError

DEFAULT_URL = "redis://localhost:6379/0"


def main() -> int:
    url = os.environ.get("REDIS_URL", DEFAULT_URL)
    try:
        client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        version = client.info("server").get("redis_version", "?")
    except RedisError as exc:
        print(f"❌ Redis connection failed: {exc}", file=sys.stderr)
        print("   Start it with `docker compose up -d --wait` or set REDIS_URL.", file=sys.stderr)
        return 1
    print("✅ Redis connection successful!")
    print(f"   Redis {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
