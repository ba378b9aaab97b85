"""Checks of the aws-sam-cli internals the emulator relies on; run by .venv-sam's python.

Prints one JSON object {check_name: null | "what moved"}; test_samcli_contract.py asserts on it.
`gateway_agrees_with_sam_where_sam_is_right` runs the same requests and Lambda answers through
SAM CLI's own local gateway (LocalApigwService) and through ours, and lists every difference:
each is a place where SAM's gateway is not what a deployed HTTP API does.
"""

from __future__ import annotations

import inspect
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
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the emulator package
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
    from samcli.local.apigw.route import Route

    api = ApiProvider(_stacks(), cwd=str(FIXTURES)).api
    routes = {(r.function_name, r.path): r for r in api.routes}
    item = routes[("EchoFunction", "/items/{id}")]
    # With a CORS configuration SAM adds OPTIONS to every route; ANY becomes every method.
    assert sorted(item.methods) == ["OPTIONS", "POST"], item.methods
    assert set(routes[("EchoFunction", "/files/{proxy+}")].methods) == set(Route.ANY_HTTP_METHODS)
    assert (item.event_type, item.payload_format_version) == ("HttpApi", None)
    assert item.authorizer_name is None and item.authorizer_object is None
    cors = api.cors
    assert cors is not None
    assert (cors.allow_origin, cors.max_age) == ("http://localhost:5173", 600), cors
    assert cors.allow_methods == "GET,OPTIONS,POST", cors
    assert cors.allow_headers == "Authorization,Content-Type", cors


@check
def parameter_overrides_type() -> None:
    from samcli.cli.types import CfnParameterOverridesType

    parsed = CfnParameterOverridesType().convert(
        ("A=1 B=two", "ParameterKey=C,ParameterValue=3"), None, None
    )
    assert parsed == {"A": "1", "B": "two", "C": "3"}, parsed


@check
def template_reader_gets_sams_function_configs() -> None:
    """emulator.template.read_with_sam: SAM's providers and runner give what the pool runs."""
    from emulator.template import read_with_sam

    env_vars = {"Parameters": {"FROM_GLOBAL": "p"}, "EchoFunction": {"OVERRIDDEN_BY_FILE": "f"}}
    project = read_with_sam(FIXTURES / "template.yaml", {"Greeting": "hi"}, env_vars)
    echo = project.functions["EchoFunction"]
    assert (echo.name, echo.handler, echo.timeout, echo.memory) == (
        "EchoFunction",
        "app.handler",
        5,
        256,
    ), echo
    assert echo.code_dir == str(FIXTURES / "functions" / "echo"), echo.code_dir
    assert echo.layers[0].codeuri == str(FIXTURES / "layer"), echo.layers
    env = echo.env
    assert (env["FROM_GLOBAL"], env["OVERRIDDEN_BY_FILE"]) == ("p", "f"), env
    assert env["FROM_PARAMETER"] == "hi", env
    assert (env["OVERRIDDEN_BY_FUNCTION"], env["AWS_LAMBDA_FUNCTION_TIMEOUT"]) == ("function", "5")
    assert "OVERRIDDEN_BY_FILE" in project.shell_names  # SAM lets the shell override these
    routes = {route.key: route.function for route in project.routes}
    assert routes["ANY /files/{proxy+}"] == "EchoFunction", routes
    assert routes["POST /items/{id}"] == "EchoFunction", routes
    assert project.cors is not None and project.cors.allow_origins == ("http://localhost:5173",)
    assert project.unsupported == [], project.unsupported


class _RecordingRuntime:
    """Stands in for SAM's LambdaRuntime: records each event, answers the next canned output."""

    def __init__(self, outputs: list[str]) -> None:
        self.events: list[dict[str, Any]] = []
        self._outputs = outputs

    def invoke(self, _config: Any, event: str, *_args: Any, **kwargs: Any) -> None:
        self.events.append(json.loads(event))
        kwargs["stdout"].write_str(self._outputs.pop(0))


def _runner(runtime: Any) -> Any:
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
        env_vars_values={},
    )


class _Gateways:
    """SAM's LocalApigwService (through Flask's test client) and ours, on the fixture template."""

    def __init__(self, outputs: list[str]) -> None:
        from samcli.lib.providers.api_provider import ApiProvider
        from samcli.local.apigw.local_apigw_service import LocalApigwService

        from emulator.gateway import HttpApi
        from emulator.template import read_with_sam

        self.sam_runtime = _RecordingRuntime(list(outputs))
        service = LocalApigwService(
            api=ApiProvider(_stacks(), cwd=str(FIXTURES)).api,
            lambda_runner=_runner(self.sam_runtime),
            port=3000,
            host="127.0.0.1",
        )
        service.create()
        self._sam = service._app.test_client()
        project = read_with_sam(FIXTURES / "template.yaml", {"Greeting": "hi"}, {})
        self.our_events: list[dict[str, Any]] = []
        self._our_outputs = list(outputs)
        self._ours = HttpApi(project.routes, project.cors, self._invoke)

    def _invoke(self, _key: str, event: bytes) -> bytes:
        self.our_events.append(json.loads(event))
        return self._our_outputs.pop(0).encode()

    def sam(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        return self._sam.open(target, method=method, headers=headers, data=body)

    def ours(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        from emulator.gateway import Request

        headers = [("Host", "localhost"), *headers]
        if body:
            headers.append(("Content-Length", str(len(body))))
        return self._ours.handle(Request(method, target, headers, body, "127.0.0.1", 3000))


_OK = '{"statusCode": 200, "body": "ok"}'
_SAME_CONTEXT = ("accountId", "apiId", "stage")
_SAME_HTTP = ("method", "path", "protocol", "sourceIp")


def _same(sam: dict[str, Any], ours: dict[str, Any]) -> None:
    """The fields where SAM's events are what an HTTP API sends."""
    for name in ("version", "rawPath", "rawQueryString", "queryStringParameters"):
        assert sam.get(name) == ours.get(name), (name, sam.get(name), ours.get(name))
    assert (sam["pathParameters"] or None) == ours.get("pathParameters"), (sam, ours)
    for name in _SAME_CONTEXT:
        assert sam["requestContext"][name] == ours["requestContext"][name], name
    for name in _SAME_HTTP:
        assert sam["requestContext"]["http"][name] == ours["requestContext"]["http"][name], name


@check
def gateway_agrees_with_sam_where_sam_is_right() -> None:
    gateways = _Gateways([_OK] * 8)
    headers = [("X-Thing", "one"), ("X-Thing", "two"), ("User-Agent", "agent/1")]
    requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = [
        ("GET", "/echo?q=1&q=2&e=", headers, b""),
        ("POST", "/items/7", [("Content-Type", "application/json")], '{"x": "é"}'.encode()),
        ("POST", "/items/7", [("Content-Type", "application/octet-stream")], b"raw"),
        ("GET", "/files/a/b", [], b""),
    ]
    for request in requests:
        assert gateways.sam(*request).status_code == 200
        assert gateways.ours(*request).status == 200
    sam, ours = gateways.sam_runtime.events, gateways.our_events
    for sam_event, our_event in zip(sam, ours, strict=True):
        _same(sam_event, our_event)
    assert [e["routeKey"] for e in sam[:3]] == [e["routeKey"] for e in ours[:3]]
    assert (sam[1]["body"], sam[1]["isBase64Encoded"]) == ('{"x": "é"}', False)
    assert (ours[1]["body"], ours[1]["isBase64Encoded"]) == ('{"x": "é"}', False)

    # Where SAM's gateway is not an HTTP API (each pair: SAM's value, then ours):
    # header names keep their case, repeats are joined with ", " instead of ",";
    assert (sam[0]["headers"]["X-Thing"], ours[0]["headers"]["x-thing"]) == ("one, two", "one,two")
    # the user agent is a fixed string;
    assert sam[0]["requestContext"]["http"]["userAgent"] == "Custom User Agent String"
    assert ours[0]["requestContext"]["http"]["userAgent"] == "agent/1"
    # a request without a body has "body": "";
    assert (sam[0]["body"], "body" in ours[0]) == ("", False)
    # a binary body is passed as text (and one that is not UTF-8 fails, below);
    assert (sam[2]["body"], sam[2]["isBase64Encoded"]) == ("raw", False)
    assert (ours[2]["body"], ours[2]["isBase64Encoded"]) == ("cmF3", True)
    # an ANY route's key names the request's method;
    assert sam[3]["routeKey"] == "GET /files/{proxy+}"
    assert ours[3]["routeKey"] == "ANY /files/{proxy+}"
    # every request has the same requestId, and timeEpoch is in seconds, not milliseconds.
    assert len({e["requestContext"]["requestId"] for e in sam}) == 1
    assert len({e["requestContext"]["requestId"] for e in ours}) == len(ours)
    assert sam[0]["requestContext"]["timeEpoch"] < 10**11 < ours[0]["requestContext"]["timeEpoch"]


@check
def gateway_answers_where_sam_is_wrong() -> None:
    gateways = _Gateways([_OK] * 4)
    not_utf8 = [("Content-Type", "application/json")], b'{"x": "\xff"}'
    sam = gateways.sam("POST", "/items/7", *not_utf8)
    ours = gateways.ours("POST", "/items/7", *not_utf8)
    assert (sam.status_code, ours.status) == (502, 200)
    assert gateways.our_events[-1]["isBase64Encoded"] is True

    sam = gateways.sam("GET", "/nowhere", [], b"")
    ours = gateways.ours("GET", "/nowhere", [], b"")
    assert (sam.status_code, sam.get_json()) == (403, {"message": "Missing Authentication Token"})
    assert (ours.status, json.loads(ours.body)) == (404, {"message": "Not Found"})

    preflight = [("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "POST")]
    sam = gateways.sam("OPTIONS", "/items/7", preflight, b"")
    ours = gateways.ours("OPTIONS", "/items/7", preflight, b"")
    assert (sam.status_code, ours.status) == (200, 204)
    allowed = dict(ours.headers)["Access-Control-Allow-Origin"]
    assert sam.headers["Access-Control-Allow-Origin"] == allowed == "http://localhost:5173"


@check
def responses_map_as_sams_gateway_maps_them() -> None:
    outputs = [
        json.dumps(
            {
                "statusCode": 201,
                "headers": {"Content-Type": "text/plain", "X-One": "1"},
                "cookies": ["a=1; Path=/", "b=2"],
                "body": "made",
            }
        ),
        json.dumps({"statusCode": 200, "isBase64Encoded": True, "body": "AAEC/w=="}),
        json.dumps({"message": "no statusCode"}),
        json.dumps("just a string"),
        json.dumps({"statusCode": 204}),
    ]
    gateways = _Gateways(outputs)
    for _ in outputs:
        sam = gateways.sam("GET", "/echo", [], b"")
        ours = gateways.ours("GET", "/echo", [], b"")
        our_headers = [(name.lower(), value) for name, value in ours.headers]
        assert sam.status_code == ours.status, (sam.status_code, ours.status)
        assert sam.get_data() == ours.body, (sam.get_data(), ours.body)
        assert sam.headers.getlist("Set-Cookie") == [v for n, v in our_headers if n == "set-cookie"]
        assert sam.headers.get("Content-Type") == dict(our_headers).get("content-type")


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
    import samcli
    from samcli.commands._utils.template import (  # noqa: F401
        TemplateFailedParsingException,
        TemplateNotFoundException,
    )

    assert samcli.__version__ == version("aws-sam-cli")  # the snapshot cache key reads this


@check
def telemetry_off_switch() -> None:
    from samcli.cli.global_config import GlobalConfig

    assert not GlobalConfig().telemetry_enabled


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
