"""A local AWS API over HTTP: moto in server mode, for the tests and `make run`.

One server answers every service moto emulates (Secrets Manager, S3, ...); clients reach it
through an endpoint URL. It keeps everything in memory: each start is empty, so the bucket
is created at start (`ensure_bucket`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.ports import free_port

START_TIMEOUT_S = 20.0
# moto accepts any credentials; these make sure no real ones are ever signed with locally.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


class MotoMissing(RuntimeError):
    """moto[server] is not installed in this interpreter's environment."""


def moto_command() -> str:
    found = shutil.which("moto_server", path=str(Path(sys.prefix) / "bin"))
    if found is None:
        raise MotoMissing("moto[server] is not installed (requirements-dev.txt)")
    return found


class MotoServer:
    """moto_server on a free loopback port; `start()` returns once it answers."""

    def __init__(self, port: int | None = None) -> None:
        self.command = moto_command()
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        import httpx

        try:
            return httpx.get(f"{self.url}/moto-api/", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self) -> MotoServer:
        self._process = subprocess.Popen(
            [self.command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto_server did not answer on {self.url}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def ensure_bucket(self, name: str) -> None:
        """Create the bucket unless it exists (the region of LOCAL_CREDENTIALS)."""
        import boto3  # type: ignore[import-untyped]

        s3 = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=LOCAL_CREDENTIALS["AWS_REGION"],
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            location = {"LocationConstraint": LOCAL_CREDENTIALS["AWS_REGION"]}
            s3.create_bucket(Bucket=name, CreateBucketConfiguration=location)
