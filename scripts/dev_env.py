"""Print a SAM env-vars file (env.json format) for `make run` from this shell's settings.

The functions see only what the template declares plus such a file, as under `sam local`;
this passes on the variables .env (exported by the Makefile) or the shell sets.
"""

from __future__ import annotations

import json
import os
import sys

DEFAULTS = {
    "ENV": "development",
    "DATABASE_URL": "postgresql+psycopg2://mdcreator:mdcreator@localhost:5432/mdcreator_dev",
    "REDIS_URL": "redis://localhost:6379/0",
    "JWT_SECRET_KEY": "change-me",
    "BCRYPT_ROUNDS": "12",
    "LOG_LEVEL": "INFO",
    # Clicking through an SPA on one machine is one IP: per-IP limits would get in the way.
    "SIGNUP_IP_MAX": "1000",
    "LOGIN_IP_MAX_FAILURES": "1000",
}


def main() -> int:
    values = {name: os.environ.get(name, default) for name, default in DEFAULTS.items()}
    json.dump({"Parameters": values}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
