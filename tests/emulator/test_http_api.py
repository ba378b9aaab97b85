"""start-api over the fixture template: routing, the 2.0 event, env vars, layer, failures."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.emulator import FIXTURES, EmulatorProcess, wait_until


def _echo(api: httpx.Client) -> dict[str, Any]:
    response = api.get("/echo", params={"q": "1"})
    assert response.status_code == 200, response.text
    return response.json()


def test_get_routes_to_function_with_a_payload_2_0_event(api: httpx.Client) -> None:
    event = _echo(api)["event"]

    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /echo"
    assert event["rawPath"] == "/echo"
    assert event["rawQueryString"] == "q=1"
    assert event["queryStringParameters"] == {"q": "1"}
    assert event["requestContext"]["http"]["method"] == "GET"


def test_post_passes_path_parameters_and_body(api: httpx.Client) -> None:
    response = api.post(
        "/items/42", content=b'{"x": 1}', headers={"Content-Type": "application/json"}
    )

    event = response.json()["event"]
    assert event["routeKey"] == "POST /items/{id}"
    assert event["pathParameters"] == {"id": "42"}
    assert event["body"] == '{"x": 1}'


def test_unknown_route_is_404_like_api_gateway(api: httpx.Client) -> None:
    response = api.get("/nowhere")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_cors_preflight_answers_from_the_template(api: httpx.Client) -> None:
    headers = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
    response = api.options("/echo", headers=headers)

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_env_var_precedence_matches_sam(api: httpx.Client) -> None:
    env = _echo(api)["env"]

    assert env["FROM_GLOBAL"] == "global"
    assert env["OVERRIDDEN_BY_FUNCTION"] == "function"
    assert env["FROM_PARAMETER"] == "from-override"
    assert env["OVERRIDDEN_BY_FILE"] == "file-function"
    assert env["OVERRIDDEN_BY_FILE_PARAMETERS"] == "file-parameters"


def test_lambda_variables_come_from_the_template(api: httpx.Client) -> None:
    env = _echo(api)["env"]

    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "EchoFunction"
    assert env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "5"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == str(FIXTURES / "functions" / "echo")


def test_function_sees_its_layer_and_nothing_of_the_dev_venvs(api: httpx.Client) -> None:
    body = _echo(api)

    assert body["layer"] == "from-layer"
    assert body["flask_importable"] is False
    assert not [path for path in body["sys_path"] if ".venv-sam" in path or "/.venv/" in path]
    assert 0 < body["remaining_ms"] <= 5000


def test_environment_stays_warm_between_requests(api: httpx.Client) -> None:
    assert _echo(api)["pid"] == _echo(api)["pid"]


def test_parallel_requests_get_several_environments_all_succeed(api: httpx.Client) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: api.get("/slow", params={"seconds": "1"}), range(6)))
    elapsed = time.monotonic() - started

    assert [r.status_code for r in responses] == [200] * 6
    pids = {r.json()["pid"] for r in responses}
    assert 2 <= len(pids) <= 4  # more than one environment, never past --max-envs
    assert elapsed < 4.5  # not served one at a time


def test_handler_exception_is_500_and_environment_stays(api: httpx.Client) -> None:
    before = api.get("/crash").json()["pid"]
    response = api.get("/crash", params={"how": "raise"})

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert api.get("/crash").json()["pid"] == before


def test_runtime_exit_is_502_and_environment_replaced(api: httpx.Client) -> None:
    before = api.get("/crash").json()["pid"]
    response = api.get("/crash", params={"how": "exit"})

    assert response.status_code == 502
    assert response.json() == {"message": "Internal Server Error"}
    after = api.get("/crash")
    assert after.status_code == 200
    assert after.json()["pid"] != before


def test_timeout_is_504_and_server_recovers(api: httpx.Client) -> None:
    started = time.monotonic()
    response = api.get("/crash", params={"how": "sleep"})

    assert response.status_code == 504
    assert response.json() == {"message": "Gateway Timeout"}
    assert time.monotonic() - started < 2.5  # the fixture's Timeout is 1 s
    assert api.get("/crash").status_code == 200


def test_import_failure_is_502_with_a_clear_log_line(
    api: httpx.Client, emulator: EmulatorProcess
) -> None:
    response = api.get("/broken")

    assert response.status_code == 502
    log = emulator.log()
    assert "BrokenFunction: Runtime.ImportModuleError" in log
    assert "No module named 'module_missing_from_the_layer'" in log


def test_logs_like_lambda_plus_one_access_line(
    api: httpx.Client, emulator: EmulatorProcess
) -> None:
    api.get("/echo", params={"log": "1"})

    access = re.compile(r"^\d\d:\d\d:\d\d GET /echo 200 \d+\.\dms$", re.MULTILINE)
    wait_until(
        lambda: access.search(emulator.log()) and "REPORT RequestId: " in emulator.log(),
        10,
        "no access or REPORT line",
    )
    log = emulator.log()
    for marker in ("START RequestId: ", "END RequestId: ", "REPORT RequestId: ", "Billed Duration"):
        assert marker in log
    assert access.search(log)
    init = re.search(r"Init Duration: (\d+\.\d\d) ms\tDuration: \d+\.\d\d ms\tBilled", log)
    assert init and float(init.group(1)) > 1  # the runtime's real init, not the RIE's ~0 ms


def test_event_over_lambdas_6_mb_is_413(api: httpx.Client) -> None:
    response = api.post("/items/1", content=b"x" * (7 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
