"""SnapStart hooks in process: init → before-snapshot → after-restore in two environments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.support.handlers import PASSWORD
from tests.support.paths import ROOT


def _story(email: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.snapstart_story", email, PASSWORD],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_restored_environments_serve_on_connections_of_their_own(
    account: dict[str, Any],
) -> None:
    story = _story(account["user"]["email"])
    init, restored = story["init"], story["restored"]
    assert (init["login"], init["me"]) == (200, 200)
    assert all("error" not in environment for environment in restored), restored
    assert [(e["login"], e["me"]) for e in restored] == [(200, 200), (200, 200)]
    # Three distinct Postgres backends and Redis clients: the snapshot's connections were
    # closed, and each restored environment opened its own.
    assert len({init["postgres_pid"], *(e["postgres_pid"] for e in restored)}) == 3
    assert len({init["redis_client"], *(e["redis_client"] for e in restored)}) == 3
    # Nothing random is shared between environments restored from one snapshot.
    assert restored[0]["random"] != restored[1]["random"]
