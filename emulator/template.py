"""The template as SAM CLI reads it (stacks, functions, routes, CORS, environment), kept on disk.

SAM CLI's providers and its LocalLambdaRunner decide what `sam local` would run: intrinsics,
Globals, parameter overrides, env.json and shell precedence. Importing and running them takes
about a second, so their result is written to the cache folder as a `Project` snapshot and read
back on the next start when nothing it was derived from has changed: the template files, the
overrides, the env.json, the shell variables SAM reads, SAM CLI's version and this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.errors import EmulatorError
from emulator.gateway import ANY, Cors, Route

if TYPE_CHECKING:
    from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
    from samcli.lib.providers.provider import Stack
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider

LOG = logging.getLogger(__name__)
# Credentials as SAM's runner names them, from the shell; with the region, the shell variables
# SAM CLI's runner reads besides the template's own variable names.
_CREDENTIALS = {
    "key": "AWS_ACCESS_KEY_ID",
    "secret": "AWS_SECRET_ACCESS_KEY",
    "sessiontoken": "AWS_SESSION_TOKEN",
}
AWS_SHELL_VARIABLES = (*_CREDENTIALS.values(), "AWS_REGION", "AWS_DEFAULT_REGION")
_ALL_METHODS = frozenset({"GET", "DELETE", "PUT", "POST", "HEAD", "OPTIONS", "PATCH"})


@dataclass(frozen=True)
class Layer:
    name: str
    full_path: str
    codeuri: str | None


@dataclass(frozen=True)
class Function:
    """One function as `sam local` would run it; `env` is SAM's resolved environment."""

    key: str
    name: str
    handler: str
    code_dir: str
    timeout: int
    memory: int
    layers: tuple[Layer, ...]
    env: dict[str, str]


@dataclass
class Project:
    """One loaded template and everything the emulator derives from it."""

    template: Path
    functions: dict[str, Function]
    routes: list[Route]
    cors: Cors | None
    unsupported: list[str] = field(default_factory=list)
    # What the snapshot was derived from, to know when it is stale.
    sources: dict[str, str] = field(default_factory=dict)
    shell_names: list[str] = field(default_factory=list)

    def function_ids(self) -> list[str]:
        return sorted(self.functions)


def parse_parameter_overrides(values: list[str]) -> dict[str, str]:
    """SAM's `--parameter-overrides` syntax (`K=V`, `ParameterKey=K,ParameterValue=V`, `file://`)."""
    if not values:
        return {}
    import click
    from samcli.cli.types import CfnParameterOverridesType

    try:
        return dict(CfnParameterOverridesType().convert(tuple(values), None, None))
    except click.ClickException as exc:
        raise EmulatorError(f"--parameter-overrides: {exc.format_message()}") from exc


def load_env_vars(path: Path | None) -> dict[str, Any]:
    """SAM's env.json: {"FunctionLogicalId": {...}, "Parameters": {...}}."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EmulatorError(f"cannot read --env-vars {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise EmulatorError(
            f'--env-vars {path}: expected {{"FunctionId": {{...}}, "Parameters": {{...}}}}'
        )
    return data


def load_project(
    template: Path,
    overrides: list[str],
    env_vars: dict[str, Any],
    cache_dir: Path | None = None,
) -> Project:
    """The snapshot from `cache_dir` when still valid, else read anew with SAM CLI (and saved)."""
    if not template.is_file():
        raise EmulatorError(f"template not found: {template}")
    template = template.resolve()
    cache = _cache_file(cache_dir, template, overrides, env_vars) if cache_dir else None
    if cache is not None and (project := _read_cache(cache)) is not None:
        return project
    project = read_with_sam(template, parse_parameter_overrides(overrides), env_vars)
    if cache is not None:
        _write_cache(cache, project)
    return project


def sam_stacks(
    template: Path, parameter_overrides: dict[str, str] | None = None
) -> tuple[list[Stack], SamFunctionProvider]:
    """SAM CLI's stacks and function provider for `template` (Globals merged, intrinsics done)."""
    from samcli.commands._utils.template import (
        TemplateFailedParsingException,
        TemplateNotFoundException,
    )
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    try:
        stacks, _ = SamLocalStackProvider.get_stacks(
            str(template), parameter_overrides=parameter_overrides or {}
        )
    except (TemplateNotFoundException, TemplateFailedParsingException) as exc:
        raise EmulatorError(f"cannot read template {template}: {exc}") from exc
    return stacks, SamFunctionProvider(stacks, ignore_code_extraction_warnings=True)


def read_with_sam(
    template: Path, parameter_overrides: dict[str, str], env_vars: dict[str, Any]
) -> Project:
    """Read the template with SAM's stack, function and API providers and its runner."""
    from samcli.lib.providers.api_provider import ApiProvider

    stacks, provider = sam_stacks(template, parameter_overrides)
    runner = _sam_runner(provider, template.parent, env_vars)
    functions = {}
    shell_names: set[str] = set(AWS_SHELL_VARIABLES)
    for function in provider.get_all():
        config = runner.get_invoke_config(function)
        shell_names.update(config.env_vars.variables)
        functions[function.full_path] = Function(
            key=function.full_path,
            name=config.name,
            handler=config.handler,
            code_dir=str(config.code_abs_path),
            timeout=int(config.timeout),
            memory=int(config.memory),
            layers=tuple(Layer(lay.name, lay.full_path, lay.codeuri) for lay in config.layers),
            env=config.env_vars.resolve(),
        )
    api = ApiProvider(stacks, cwd=str(template.parent)).api
    routes, unsupported = _routes(api, provider)
    return Project(
        template=template,
        functions=functions,
        routes=routes,
        cors=_cors(api.cors),
        unsupported=unsupported,
        sources={stack.location: _digest_file(Path(stack.location)) for stack in stacks},
        shell_names=sorted(shell_names),
    )


def _sam_runner(provider: Any, base_dir: Path, env_vars: dict[str, Any]) -> LocalLambdaRunner:
    from samcli.commands.local.lib.local_lambda import LocalLambdaRunner

    class Runner(LocalLambdaRunner):  # type: ignore[misc]
        """SAM's runner for its function configs (env precedence), never for invoking."""

        def get_aws_creds(self) -> dict[str, str]:
            # SAM asks boto3 (profiles, instance metadata); here the shell's vars or SAM's defaults.
            creds = {
                name: os.environ[var] for name, var in _CREDENTIALS.items() if os.environ.get(var)
            }
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            if region:
                creds["region"] = region
            return creds

    return Runner(
        local_runtime=None,
        function_provider=provider,
        cwd=str(base_dir),
        real_path=str(base_dir),
        env_vars_values=env_vars,
    )


def _routes(api: Any, provider: Any) -> tuple[list[Route], list[str]]:
    routes: list[Route] = []
    unsupported: list[str] = []
    for route in api.routes:
        where = f"{route.function_name} {route.path}"
        if route.event_type != "HttpApi":
            unsupported.append(f"{where}: a REST API (AWS::Serverless::Api) route")
        elif route.payload_format_version not in (None, "2.0"):
            unsupported.append(f"{where}: payload format {route.payload_format_version}")
        elif route.authorizer_name or route.authorizer_object:
            unsupported.append(f"{where}: an authorizer")
        function = provider.get(route.function_name)
        if function is None:
            unsupported.append(f"{where}: function not found")
            continue
        methods = {method.upper() for method in route.methods}
        for method in [ANY] if methods >= _ALL_METHODS else sorted(methods):
            routes.append(Route(method, route.path, function.full_path))
    return routes, unsupported


def _cors(cors: Any) -> Cors | None:
    if cors is None:
        return None
    origins = tuple(o.strip() for o in (cors.allow_origin or "").split(",") if o.strip())
    return Cors(
        allow_origins=origins,
        allow_methods=cors.allow_methods,
        allow_headers=cors.allow_headers,
        allow_credentials=str(cors.allow_credentials).lower() == "true",
        max_age=int(cors.max_age) if cors.max_age is not None else None,
    )


def _digest_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _shell_digest(names: list[str]) -> str:
    values = {name: os.environ.get(name) for name in names}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _cache_file(
    cache_dir: Path, template: Path, overrides: list[str], env_vars: dict[str, Any]
) -> Path:
    import samcli

    inputs = {
        "samcli": samcli.__version__,
        "reader": _digest_file(Path(__file__)),
        "template": str(template),
        "overrides": overrides,
        "env_vars": env_vars,
    }
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:32]
    return cache_dir / "projects" / f"{key}.json"


def _read_cache(path: Path) -> Project | None:
    try:
        data = json.loads(path.read_text())
        project = _from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    fresh = data["shell"] == _shell_digest(project.shell_names) and all(
        _digest_file(Path(name)) == digest for name, digest in project.sources.items()
    )
    return project if fresh else None


def _write_cache(path: Path, project: Project) -> None:
    """Written readable by the owner only: the environment may hold secrets from env.json."""
    data = {**_to_json(project), "shell": _shell_digest(project.shell_names)}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    partial.replace(path)


def _to_json(project: Project) -> dict[str, Any]:
    return {
        "template": str(project.template),
        "functions": [asdict(function) for function in project.functions.values()],
        "routes": [[route.method, route.path, route.function] for route in project.routes],
        "cors": asdict(project.cors) if project.cors else None,
        "unsupported": project.unsupported,
        "sources": project.sources,
        "shell_names": project.shell_names,
    }


def _from_json(data: dict[str, Any]) -> Project:
    functions = {}
    for item in data["functions"]:
        item["layers"] = tuple(Layer(**layer) for layer in item["layers"])
        functions[item["key"]] = Function(**item)
    cors = data["cors"]
    if cors is not None:
        cors["allow_origins"] = tuple(cors["allow_origins"])
    return Project(
        template=Path(data["template"]),
        functions=functions,
        routes=[Route(*route) for route in data["routes"]],
        cors=Cors(**cors) if cors is not None else None,
        unsupported=data["unsupported"],
        sources=data["sources"],
        shell_names=data["shell_names"],
    )
