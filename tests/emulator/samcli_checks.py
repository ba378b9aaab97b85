"""Checks of the aws-sam-cli internals the emulator relies on; run by .venv-sam's python.

Prints one JSON object {check_name: null | "what moved"}; test_samcli_contract.py asserts on it.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import platform
import sys
import traceback
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

os.environ["SAM_CLI_TELEMETRY"] = "0"  # as the emulator sets it: nothing is sent to AWS
FIXTURES = Path(__file__).parent / "fixtures"
CHECKS: dict[str, Callable[[], None]] = {}


def check(function: Callable[[], None]) -> Callable[[], None]:
    CHECKS[function.__name__] = function
    return function


def _params(function: Callable[..., Any]) -> set[str]:
    return set(inspect.signature(function).parameters)


def _stacks() -> list[Any]:
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    stacks, _ = SamLocalStackProvider.get_stacks(
        str(FIXTURES / "template.yaml"), parameter_overrides={"Greeting": "hi"}
    )
    return stacks


@check
def pinned_version() -> None:
    assert version("aws-sam-cli") == "1.170.0", version("aws-sam-cli")


@check
def stack_and_function_providers() -> None:
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    assert {"template_file", "parameter_overrides"} <= _params(SamLocalStackProvider.get_stacks)
    assert "ignore_code_extraction_warnings" in _params(SamFunctionProvider.__init__)
    provider = SamFunctionProvider(_stacks(), ignore_code_extraction_warnings=True)
    echo = provider.get("EchoFunction")
    assert echo is not None and echo.full_path == "EchoFunction"
    assert echo.codeuri == str(FIXTURES / "functions" / "echo"), echo.codeuri
    assert echo.environment["Variables"]["FROM_PARAMETER"] == "hi"
    layer = echo.layers[0]
    assert (layer.name, layer.full_path, layer.build_method) == ("TinyLayer", "TinyLayer", None)
    assert layer.codeuri == str(FIXTURES / "layer"), layer.codeuri
    assert {f.full_path for f in provider.get_all()} >= {"EchoFunction", "CrashFunction"}


@check
def api_provider_routes_and_cors() -> None:
    from samcli.lib.providers.api_provider import ApiProvider

    api = ApiProvider(_stacks(), cwd=str(FIXTURES)).api
    routes = {(r.function_name, r.path) for r in api.routes}
    assert ("EchoFunction", "/items/{id}") in routes, routes
    assert all(hasattr(r, "methods") for r in api.routes)
    assert api.cors is not None and api.cors.max_age == 600


@check
def parameter_overrides_type() -> None:
    from samcli.cli.types import CfnParameterOverridesType

    parsed = CfnParameterOverridesType().convert(
        ("A=1 B=two", "ParameterKey=C,ParameterValue=3"), None, None
    )
    assert parsed == {"A": "1", "B": "two", "C": "3"}, parsed


class _FakeRuntime:
    """Records what LocalLambdaRunner hands to its local_runtime."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def invoke(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append((args, kwargs))
        kwargs["stdout"].write_str('{"statusCode": 201, "body": "made"}')


def _runner(runtime: Any, env_vars: dict[str, Any]) -> Any:
    from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider

    class Runner(LocalLambdaRunner):
        def get_aws_creds(self) -> dict[str, str]:
            return {}

    provider = SamFunctionProvider(_stacks(), ignore_code_extraction_warnings=True)
    return Runner(
        local_runtime=runtime,
        function_provider=provider,
        cwd=str(FIXTURES),
        real_path=str(FIXTURES),
        env_vars_values=env_vars,
    )


@check
def local_lambda_runner_calls_local_runtime() -> None:
    from samcli.lib.utils.stream_writer import StreamWriter

    runtime = _FakeRuntime()
    env_vars = {"Parameters": {"FROM_GLOBAL": "p"}, "EchoFunction": {"OVERRIDDEN_BY_FILE": "f"}}
    runner = _runner(runtime, env_vars)
    assert runner.is_debugging() is False
    out = io.StringIO()
    runner.invoke("EchoFunction", "{}", stdout=StreamWriter(out))
    (config, event, tenant_id), kwargs = runtime.calls[0]
    assert (event, tenant_id) == ("{}", None)
    assert {"stdout", "stderr"} <= kwargs.keys()
    assert (config.name, config.full_path, config.handler) == ("EchoFunction",) * 2 + (
        "app.handler",
    )
    assert config.code_abs_path == str(FIXTURES / "functions" / "echo")
    assert (config.timeout, config.memory) == (5, 256)
    assert config.layers[0].codeuri == str(FIXTURES / "layer")
    resolved = config.env_vars.resolve()
    assert resolved["FROM_GLOBAL"] == "p" and resolved["OVERRIDDEN_BY_FILE"] == "f"
    assert resolved["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "5"
    assert out.getvalue() == '{"statusCode": 201, "body": "made"}'


@check
def unknown_function_raises_function_not_found() -> None:
    from samcli.local.lambdafn.exceptions import FunctionNotFound

    try:
        _runner(_FakeRuntime(), {}).get_function("Nope")
    except FunctionNotFound:
        return
    raise AssertionError("get_function did not raise FunctionNotFound")


class _FailingRuntime:
    def invoke(self, *_args: Any, **_kwargs: Any) -> None:
        raise _Boom()


class _Boom(Exception):
    pass


@check
def apigw_service_uses_runner_and_lets_errors_through() -> None:
    from flask import Flask
    from samcli.lib.providers.api_provider import ApiProvider
    from samcli.local.apigw.local_apigw_service import LocalApigwService

    assert {"api", "lambda_runner", "port", "host", "stderr"} <= _params(LocalApigwService.__init__)
    api = ApiProvider(_stacks(), cwd=str(FIXTURES)).api
    service = LocalApigwService(
        api=api, lambda_runner=_runner(_FakeRuntime(), {}), port=3, host="h"
    )
    service.create()
    assert isinstance(service._app, Flask)
    response = service._app.test_client().post("/items/7?a=b", data="x")
    assert (response.status_code, response.get_data(as_text=True)) == (201, "made")

    failing = LocalApigwService(
        api=api, lambda_runner=_runner(_FailingRuntime(), {}), port=3, host="h"
    )
    failing.create()
    failing._app.register_error_handler(_Boom, lambda _exc: ("mapped", 599))
    assert failing._app.test_client().get("/echo").status_code == 599


@check
def event_passed_to_the_runtime_is_payload_2_0() -> None:
    from samcli.lib.providers.api_provider import ApiProvider
    from samcli.local.apigw.local_apigw_service import LocalApigwService

    runtime = _FakeRuntime()
    api = ApiProvider(_stacks(), cwd=str(FIXTURES)).api
    service = LocalApigwService(api=api, lambda_runner=_runner(runtime, {}), port=3, host="h")
    service.create()
    service._app.test_client().post("/items/7")
    event = json.loads(runtime.calls[0][0][1])
    assert (event["version"], event["routeKey"]) == ("2.0", "POST /items/{id}")


@check
def rie_binary_and_flags() -> None:
    import samcli

    arch = "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"
    rie = Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
    data = rie.read_bytes()
    for flag in (b"runtime-interface-emulator-address", b"runtime-api-address", b"log-level"):
        assert flag in data, flag
    assert b"/2015-03-31/functions/" in data


@check
def small_helpers() -> None:
    from samcli.commands._utils.template import (  # noqa: F401
        TemplateFailedParsingException,
        TemplateNotFoundException,
    )
    from samcli.lib.utils.codeuri import resolve_code_path
    from samcli.lib.utils.stream_writer import StreamWriter

    assert resolve_code_path(str(FIXTURES), "functions/echo") == str(
        FIXTURES / "functions" / "echo"
    )
    assert hasattr(StreamWriter, "write_str")


@check
def werkzeug_server_options() -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    assert {"threaded", "request_handler", "fd"} <= _params(make_server)
    assert hasattr(WSGIRequestHandler, "log_request")


@check
def telemetry_off_switches() -> None:
    from samcli.cli.global_config import GlobalConfig
    from samcli.lib.telemetry.event import EventTracker

    assert not GlobalConfig().telemetry_enabled
    assert isinstance(inspect.getattr_static(EventTracker, "track_event"), staticmethod)


def main() -> int:
    results: dict[str, str | None] = {}
    for name, function in CHECKS.items():
        try:
            function()
            results[name] = None
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            results[name] = traceback.format_exc(limit=3)
    sys.stdout.write(json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
