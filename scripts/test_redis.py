"""Check that Redis answers at the settings' REDIS_URL, with one line saying so or why not."""

from __future__ import annotations

import sys
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

sys.path.append(str(Path(__file__).resolve().parent.parent / "layers" / "common"))
from mdcreator.core.config import Settings  # noqa: E402


def main() -> int:
    url = Settings().redis_url
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
