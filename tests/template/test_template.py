"""template.yaml, functions/ and events/ stay in step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.paths import ROOT
from tools.template import document, functions

FUNCTIONS = functions()
API_FUNCTIONS = {logical_id: spec for logical_id, spec in FUNCTIONS.items() if spec.routes}


# Off the API: the migration, invoked by hand, and scheduled functions.
SCHEDULED_FUNCTIONS = {
    "AttachmentsPurgeFunction",
    "PurgeDocumentsFunction",
    "PurgeSecurityEventsFunction",
}


def test_every_function_directory_is_in_the_template() -> None:
    directories = {path.parent.name for path in ROOT.glob("functions/*/app.py")}
    expected = {spec.name for spec in API_FUNCTIONS.values()}
    assert directories == expected | {FUNCTIONS[name].name for name in SCHEDULED_FUNCTIONS}


def test_only_the_migrate_and_scheduled_functions_are_off_the_api() -> None:
    assert set(FUNCTIONS) - set(API_FUNCTIONS) == {"MigrateFunction", *SCHEDULED_FUNCTIONS}
    assert FUNCTIONS["MigrateFunction"].code_uri == "migrations"
    for name in SCHEDULED_FUNCTIONS:
        events = DOCUMENT["Resources"][name]["Properties"]["Events"].values()
        assert {event["Type"] for event in events} == {"ScheduleV2"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_sample_event(logical_id: str) -> None:
    assert (ROOT / "events" / f"{FUNCTIONS[logical_id].name}.json").is_file()


@pytest.mark.parametrize("logical_id", sorted(API_FUNCTIONS))
def test_api_sample_events_hit_one_of_their_functions_routes(logical_id: str) -> None:
    spec = FUNCTIONS[logical_id]
    event = json.loads((ROOT / "events" / f"{spec.name}.json").read_text())
    http = event["requestContext"]["http"]
    assert event["version"] == "2.0"
    assert any(
        method == http["method"] and _matches(path, http["path"]) for method, path in spec.routes
    )


def _matches(route: str, path: str) -> bool:
    """Whether a request path fits a route, whose {name} segments take any one segment."""
    wanted, given = route.split("/"), path.split("/")
    return len(wanted) == len(given) and all(
        w == g or (w.startswith("{") and w.endswith("}"))
        for w, g in zip(wanted, given, strict=True)
    )


def test_a_plain_deploy_is_production_with_a_real_bcrypt_cost() -> None:
    parameters = document()["Parameters"]
    assert parameters["Env"]["Default"] == "production"
    assert parameters["BcryptRounds"]["MinValue"] >= 10


# Settings whose values are secrets: they may only ever arrive through a *_SECRET_ARN.
SECRET_SETTINGS = {"DATABASE_URL", "JWT_PRIVATE_KEY", "JWT_PUBLIC_KEYS", "SMTP_URL"}
MINTING_FUNCTIONS = {"LoginFunction", "RefreshFunction", "PasswordResetFunction"}
BCRYPT_FUNCTIONS = {
    "SignupFunction", "LoginFunction", "PasswordFunction", "DeleteAccountFunction",
    "PasswordResetFunction",
}  # fmt: skip
DOCUMENT = document()


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in DOCUMENT["Resources"].items() if r["Type"] == kind}


def _variables(properties: dict[str, Any]) -> dict[str, Any]:
    return dict(properties.get("Environment", {}).get("Variables", {}))


def _secret_arns_read(properties: dict[str, Any]) -> set[str]:
    """Parameters named by the function's GetSecretValue policies."""
    return {
        policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"]["Ref"]
        for policy in properties.get("Policies", [])
        if isinstance(policy, dict) and "AWSSecretsManagerGetSecretValuePolicy" in policy
    }


ENVIRONMENTS = {
    "Globals": _variables(DOCUMENT["Globals"]["Function"]),
    **{
        name: _variables(r["Properties"])
        for name, r in _resources("AWS::Serverless::Function").items()
    },
}


@pytest.mark.parametrize("scope", sorted(ENVIRONMENTS))
def test_no_secret_value_can_land_in_a_function_environment(scope: str) -> None:
    variables = ENVIRONMENTS[scope]
    text = json.dumps(variables)
    # Dynamic references are resolved into the function's configuration at deploy time.
    assert "{{resolve:" not in text
    for name in SECRET_SETTINGS & set(variables):
        assert variables[name] == "", f"{scope}: {name} must come through {name}_SECRET_ARN"
    for name, value in variables.items():
        if isinstance(value, dict) and "Ref" in value:
            parameter = DOCUMENT["Parameters"].get(value["Ref"], {})
            assert not parameter.get("NoEcho"), f"{scope}: {name} carries a NoEcho parameter"
            if name.endswith("_SECRET_ARN"):
                assert parameter["AllowedPattern"].startswith("arn:aws"), name


@pytest.mark.parametrize("name", sorted(_resources("AWS::Serverless::Function")))
def test_functions_read_exactly_the_secrets_whose_arns_they_get(name: str) -> None:
    properties = DOCUMENT["Resources"][name]["Properties"]
    given = {
        value["Ref"]
        for variable, value in _variables(properties).items()
        if variable.endswith("_SECRET_ARN") and isinstance(value, dict)
    }
    assert _secret_arns_read(properties) == given


def test_the_private_key_reaches_the_minting_functions_only() -> None:
    readers = {
        name
        for name, r in _resources("AWS::Serverless::Function").items()
        if "JwtPrivateKeySecretArn" in _secret_arns_read(r["Properties"])
    }
    assert readers == MINTING_FUNCTIONS
    assert ENVIRONMENTS["Globals"]["JWT_PRIVATE_KEY_SECRET_ARN"] == ""


def test_bcrypt_functions_get_a_full_vcpu_and_a_concurrency_parameter() -> None:
    for name in BCRYPT_FUNCTIONS:
        properties = DOCUMENT["Resources"][name]["Properties"]
        assert properties["MemorySize"] == 1769, name
        reserved = properties["ReservedConcurrentExecutions"]["Fn::If"]
        assert DOCUMENT["Parameters"][reserved[1]["Ref"]]["Default"] == 0


def test_api_functions_start_from_snapshots_of_a_published_alias() -> None:
    function_globals = DOCUMENT["Globals"]["Function"]
    assert function_globals["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function_globals["AutoPublishAlias"]
    overrides = {
        name
        for name, r in _resources("AWS::Serverless::Function").items()
        if "SnapStart" in r["Properties"]
    }
    assert overrides == {"MigrateFunction", *SCHEDULED_FUNCTIONS}


def test_redis_is_tls_and_either_created_or_required() -> None:
    redis_url = ENVIRONMENTS["Globals"]["REDIS_URL"]["Fn::If"]
    assert redis_url[0] == "CreateCacheResources"
    assert redis_url[1]["Fn::Sub"].startswith("rediss://")
    pattern = DOCUMENT["Parameters"]["RedisUrl"]["AllowedPattern"]
    import re

    assert re.fullmatch(pattern, "rediss://cache.example:6379/0")
    assert re.fullmatch(pattern, "")  # then the rule below asks for it
    for refused in ("redis://cache.example:6379", "rediss://:password@cache.example:6379"):
        assert not re.fullmatch(pattern, refused)
    assertions = DOCUMENT["Rules"]["RedisUrlWithoutCache"]["Assertions"]
    assert assertions[0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "RedisUrl"}, ""]}]}
    cache = DOCUMENT["Resources"]["Cache"]["Properties"]
    assert cache["Engine"] == "valkey"
    # ElastiCache Serverless is cluster mode only: the functions use the cluster client.
    cluster = ENVIRONMENTS["Globals"]["REDIS_CLUSTER"]["Fn::If"]
    assert cluster[:2] == ["CreateCacheResources", "true"]


def test_the_api_throttles_every_route() -> None:
    settings = DOCUMENT["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert settings == {
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
    }


def test_architecture_drives_functions_and_layer() -> None:
    assert DOCUMENT["Globals"]["Function"]["Architectures"] == [{"Ref": "Architecture"}]
    layer = DOCUMENT["Resources"]["CommonLayer"]["Properties"]
    assert layer["CompatibleArchitectures"] == [{"Ref": "Architecture"}]


MAIL_ON_REQUEST = {
    "VerifyEmailRequestFunction",
    "EmailChangeFunction",
    "PasswordForgotFunction",
    "InvitationsFunction",
}


def test_mail_sending_functions_read_the_smtp_secret_and_can_be_bounded() -> None:
    readers = {
        name
        for name, r in _resources("AWS::Serverless::Function").items()
        if "SmtpUrlSecretArn" in _secret_arns_read(r["Properties"])
    }
    assert readers == MAIL_ON_REQUEST | {"SignupFunction", "LoginFunction"}
    for name in MAIL_ON_REQUEST:
        reserved = DOCUMENT["Resources"][name]["Properties"]["ReservedConcurrentExecutions"]
        assert reserved["Fn::If"][1] == {"Ref": "MailConcurrency"}


def test_locally_too_only_minting_functions_are_handed_the_private_key() -> None:
    # SAM and the emulator pass an env-vars value only to functions that declare the name.
    holders = {name for name, facts in FUNCTIONS.items() if "JWT_PRIVATE_KEY" in facts.environment}
    assert holders == MINTING_FUNCTIONS


def test_locally_too_only_mail_functions_are_handed_the_smtp_url() -> None:
    holders = {name for name, facts in FUNCTIONS.items() if "SMTP_URL" in facts.environment}
    assert holders == MAIL_ON_REQUEST | {"SignupFunction", "LoginFunction"}


def test_the_functions_origin_check_and_the_gateways_cors_name_the_same_origins() -> None:
    from mdcreator.core.config import Settings

    parameters = DOCUMENT["Parameters"]
    cors = DOCUMENT["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == {"Ref": "CorsOrigins"}
    assert ENVIRONMENTS["Globals"]["CORS_ORIGINS"] == {"Fn::Join": [",", {"Ref": "CorsOrigins"}]}
    # Locally the setting's default stands in for the template's: the same list.
    assert Settings.model_fields["cors_origins"].default == parameters["CorsOrigins"]["Default"]
    # Cookie mode's header passes the preflight, with credentials.
    assert "X-Refresh-Token-Mode" in cors["AllowHeaders"]
    # A browser's document change names its version (If-Match) past the preflight.
    assert "If-Match" in cors["AllowHeaders"]
    assert cors["AllowCredentials"] is True


def test_cookie_samesite_is_a_parameter_with_the_settings_choices() -> None:
    from typing import get_args

    from mdcreator.core.config import Settings

    parameter = DOCUMENT["Parameters"]["CookieSameSite"]
    assert ENVIRONMENTS["Globals"]["COOKIE_SAMESITE"] == {"Ref": "CookieSameSite"}
    choices = get_args(Settings.model_fields["cookie_samesite"].annotation)
    assert set(parameter["AllowedValues"]) == set(choices)
    assert parameter["Default"] == Settings.model_fields["cookie_samesite"].default


def _sub(value: Any) -> str:
    """The text of a `!Sub` with its one parameter, e.g. "mdcreator-${Stage}-login"."""
    assert isinstance(value, dict) and set(value) == {"Fn::Sub"}, value
    return str(value["Fn::Sub"])


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_json_into_a_log_group_of_its_own(logical_id: str) -> None:
    properties = DOCUMENT["Resources"][logical_id]["Properties"]
    function_name = _sub(properties["FunctionName"])
    assert function_name == f"mdcreator-${{Stage}}-{FUNCTIONS[logical_id].name}"
    group = DOCUMENT["Resources"][properties["LoggingConfig"]["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert _sub(group["Properties"]["LogGroupName"]) == f"/aws/lambda/{function_name}"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    logging_config = DOCUMENT["Globals"]["Function"]["LoggingConfig"]
    assert logging_config["LogFormat"] == "JSON"
    # Lambda files lines without a level (the EMF metrics) as INFO: above INFO drops them.
    assert logging_config["ApplicationLogLevel"] in {"TRACE", "DEBUG", "INFO"}


def test_no_log_group_outlives_its_function() -> None:
    # Every log group belongs to one function, or is the gateway's access log.
    groups = set(_resources("AWS::Logs::LogGroup"))
    owned = {
        r["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for r in _resources("AWS::Serverless::Function").values()
    }
    assert groups - owned == {"ApiAccessLogs"}


def test_the_access_log_carries_the_functions_correlation_id() -> None:
    api = DOCUMENT["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
    assert api["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    line = json.loads(api["Format"])
    assert line["requestId"] == "$context.requestId"
    assert line["lambdaRequestId"] == "$context.integration.requestId"
    retention = DOCUMENT["Resources"]["ApiAccessLogs"]["Properties"]["RetentionInDays"]
    assert retention == {"Ref": "LogRetentionDays"}
    assert DOCUMENT["Parameters"]["LogRetentionDays"]["Default"] == 90


ALARMS = _resources("AWS::CloudWatch::Alarm")


def test_alarms_exist_only_with_a_topic_to_tell() -> None:
    parameter = DOCUMENT["Parameters"]["AlarmTopicArn"]
    assert parameter["Default"] == ""
    assert DOCUMENT["Conditions"]["HasAlarmTopic"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]
    }
    watchers = {**ALARMS, **_resources("AWS::Serverless::Application")}
    for name, resource in watchers.items():
        assert resource.get("Condition") == "HasAlarmTopic", name
    for name, alarm in ALARMS.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopicArn"}], name
        assert properties["TreatMissingData"] == "notBreaching", name


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_its_errors_and_throttles_alarms(logical_id: str) -> None:
    watchers = [
        r["Properties"]
        for r in _resources("AWS::Serverless::Application").values()
        if r["Properties"]["Parameters"]["FunctionName"] == {"Ref": logical_id}
    ]
    assert watchers == [
        {
            "Location": "alarms/function.yaml",
            "Parameters": {
                "FunctionName": {"Ref": logical_id},
                "AlarmTopicArn": {"Ref": "AlarmTopicArn"},
            },
        }
    ]


def test_the_nested_alarms_watch_errors_and_throttles_of_their_function() -> None:
    nested = document(ROOT / "alarms" / "function.yaml")["Resources"]
    watched = {
        (r["Properties"]["Namespace"], r["Properties"]["MetricName"]): r["Properties"]["Dimensions"]
        for r in nested.values()
    }
    dimensions = [{"Name": "FunctionName", "Value": {"Ref": "FunctionName"}}]
    assert watched == {
        ("AWS/Lambda", "Errors"): dimensions,
        ("AWS/Lambda", "Throttles"): dimensions,
    }


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_puts_its_metrics_in_the_stacks_namespace(logical_id: str) -> None:
    environment = FUNCTIONS[logical_id].environment
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "MDCreator"
    # The metrics' one dimension, service, which the alarms select by, is the function's
    # folder name as its code gives it: no variable in the template to disagree with it.
    assert "POWERTOOLS_SERVICE_NAME" not in environment


def test_refresh_reuse_alarms_on_the_refresh_functions_metric() -> None:
    properties = ALARMS["RefreshReuseAlarm"]["Properties"]
    assert properties["Namespace"] == {"Ref": "MetricsNamespace"}
    assert properties["MetricName"] == "RefreshReuseDetected"
    assert properties["Dimensions"] == [
        {"Name": "service", "Value": FUNCTIONS["RefreshFunction"].name}
    ]
    assert (properties["ComparisonOperator"], properties["Threshold"]) == (
        "GreaterThanThreshold",
        0,
    )


def test_one_alarm_counts_dependency_unavailable_of_every_service() -> None:
    (query,) = ALARMS["DependencyUnavailableAlarm"]["Properties"]["Metrics"]
    assert query["Expression"] == {
        "Fn::Sub": 'SELECT SUM(DependencyUnavailable) FROM SCHEMA("${MetricsNamespace}", service)'
    }
    assert DOCUMENT["Parameters"]["MetricsNamespace"]["Default"] == "MDCreator"


def test_the_api_alarms_on_its_5xx_rate_and_p99_latency() -> None:
    api = [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    rate = {m["Id"]: m for m in ALARMS["Api5xxAlarm"]["Properties"]["Metrics"]}
    assert rate["rate"]["Expression"] == "errors / requests"
    assert rate["errors"]["MetricStat"]["Metric"] == {
        "Namespace": "AWS/ApiGateway", "MetricName": "5xx", "Dimensions": api,
    }  # fmt: skip
    assert rate["requests"]["MetricStat"]["Metric"]["MetricName"] == "Count"
    latency = ALARMS["ApiLatencyAlarm"]["Properties"]
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("Latency", "p99")
    assert latency["Dimensions"] == api


def test_tracing_is_a_parameter_of_every_function() -> None:
    # SAM gives each role the X-Ray write permission unless Tracing is Disabled.
    parameter = DOCUMENT["Parameters"]["Tracing"]
    assert set(parameter["AllowedValues"]) == {"Active", "PassThrough", "Disabled"}
    assert parameter["Default"] == "Disabled"
    assert DOCUMENT["Globals"]["Function"]["Tracing"] == {"Ref": "Tracing"}
    overrides = {
        name
        for name, r in _resources("AWS::Serverless::Function").items()
        if "Tracing" in r["Properties"]
    }
    assert overrides == set()


def test_checkov_skips_live_in_one_file() -> None:
    # .checkov.yaml skips each rule for the whole stack, with its reason; a resource's own
    # skip would hide from that list.
    for name, resource in DOCUMENT["Resources"].items():
        assert "checkov" not in resource.get("Metadata", {}), name
    config = (ROOT / ".checkov.yaml").read_text()
    assert "template.yaml" in config and "alarms/function.yaml" in config


def test_the_attachments_bucket_is_the_stacks_one_bucket() -> None:
    # What .checkov.yaml's access-logging skip relies on: every object is reached through a
    # presigned request the API issued and logged; a second bucket would need its own answer.
    assert set(_resources("AWS::S3::Bucket")) == {"AttachmentsBucket"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_functions_are_invoked_by_the_api_or_a_schedule(logical_id: str) -> None:
    # What .checkov.yaml's dead-letter skip relies on: no other asynchronous event source.
    events = DOCUMENT["Resources"][logical_id]["Properties"].get("Events", {}).values()
    assert {event["Type"] for event in events} <= {"HttpApi", "ScheduleV2"}
