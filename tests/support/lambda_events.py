"""The tests' names for tools.events (HTTP API events from events/, handler calls)."""

from tools.events import Answer, LambdaContext, http_event, invoke, load_event, load_function

__all__ = ["Answer", "LambdaContext", "http_event", "invoke", "load_event", "load_function"]
