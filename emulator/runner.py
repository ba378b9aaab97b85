"""The lambda_runner for SAM's LocalApigwService: SAM's LocalLambdaRunner over our pool."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner

from emulator.errors import PayloadTooLarge
from emulator.runtime import FunctionSpec, Pool

if TYPE_CHECKING:
    from samcli.lib.utils.stream_writer import StreamWriter
    from samcli.local.lambdafn.config import FunctionConfig

    from emulator.layers import LayerResolver
    from emulator.template import Project

# Lambda refuses synchronous invocations whose event is larger.
MAX_EVENT_BYTES = 6 * 1024 * 1024
_AWS_CREDENTIAL_VARS = {
    "key": "AWS_ACCESS_KEY_ID",
    "secret": "AWS_SECRET_ACCESS_KEY",
    "sessiontoken": "AWS_SESSION_TOKEN",
}


class PoolRuntime:
    """Stands in for SAM's LambdaRuntime: LocalLambdaRunner.invoke hands it a FunctionConfig."""

    def __init__(
        self, pool: Pool, layers: LayerResolver, runtime_python: Path, pycache: Path
    ) -> None:
        self._pool = pool
        self._layers = layers
        self._runtime_python = runtime_python
        self._pycache = pycache

    def invoke(
        self,
        function_config: FunctionConfig,
        event: str,
        tenant_id: str | None = None,  # noqa: ARG002 - SAM passes it; no tenancy locally
        *,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,  # noqa: ARG002 - logs go straight to our stderr
        **_docker_options: Any,
    ) -> None:
        key = function_config.full_path
        payload = event.encode()
        if len(payload) > MAX_EVENT_BYTES:
            raise PayloadTooLarge(key, b"event larger than Lambda's 6 MB invocation payload")
        body = self._pool.invoke(key, lambda: self.spec(function_config), payload)
        if stdout is not None:
            # LocalApigwService's StreamWriter wraps a StringIO: text, not bytes.
            stdout.write_str(body.decode("utf-8", "replace"))

    def spec(self, config: FunctionConfig) -> FunctionSpec:
        layer_dirs = tuple(
            path for layer in config.layers for path in self._layers.python_dirs(layer)
        )
        task_root = str(config.code_abs_path)
        return FunctionSpec(
            name=config.name,
            handler=config.handler,
            task_root=task_root,
            env=self._environment(config, task_root, layer_dirs),
            timeout=int(config.timeout),
        )

    def _environment(
        self, config: FunctionConfig, task_root: str, layer_dirs: tuple[str, ...]
    ) -> dict[str, str]:
        """As in Lambda's python3.12 image; nothing of the emulator's own environment leaks in."""
        runtime_bin = self._runtime_python.parent
        env = {
            "PATH": f"{runtime_bin}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": task_root,
            "LAMBDA_RUNTIME_DIR": str(runtime_bin.parent),
            "_HANDLER": config.handler,
            "PYTHONPATH": os.pathsep.join(layer_dirs),
            # Bytecode out of the code folders (read-only on Lambda; the hot reload watches them),
            # but cached: `sam build` ships no .pyc, and compiling the layer costs seconds per init.
            "PYTHONPYCACHEPREFIX": str(self._pycache),
        }
        env.update(config.env_vars.resolve())
        return env


class Runner(LocalLambdaRunner):
    """SAM's runner (function lookup, env-var precedence, FunctionConfig) minus Docker, boto3."""

    def __init__(self, project: Project, runtime: PoolRuntime) -> None:
        base_dir = str(project.base_dir)
        super().__init__(
            local_runtime=runtime,  # type: ignore[arg-type, unused-ignore]
            function_provider=project.functions,
            cwd=base_dir,
            real_path=base_dir,
            env_vars_values=project.env_vars,
        )

    def get_aws_creds(self) -> dict[str, str]:
        # SAM asks boto3 (profiles, instance metadata); here the shell's vars or SAM's placeholders.
        creds = {
            name: os.environ[var]
            for name, var in _AWS_CREDENTIAL_VARS.items()
            if os.environ.get(var)
        }
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            creds["region"] = region
        return creds
