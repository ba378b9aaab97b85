from tests.support.lambda_events import invoke, load_event


def test_root_returns_banner() -> None:
    answer = invoke("root", load_event("root"))
    assert answer.status == 200
    assert answer.body == {"message": "MD Creator API", "status": "running"}


def test_health_reports_both_dependencies_ok() -> None:
    answer = invoke("health", load_event("health"))
    assert answer.status == 200
    assert answer.body == {"status": "healthy", "checks": {"database": "ok", "redis": "ok"}}


def test_unknown_route_is_json_404() -> None:
    event = load_event("root")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/../../etc/passwd"
    answer = invoke("root", event)
    assert answer.status == 404
    assert answer.body == {"detail": "Not Found"}
