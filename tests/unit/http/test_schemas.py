"""Moments in answers: one fixed-width UTC form, so the SPA may compare them as strings."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, get_args, get_origin

from pydantic import BaseModel, PlainSerializer, TypeAdapter

import mdcreator
from mdcreator.http.schemas import Moment


class _Answer(BaseModel):
    at: Moment


def test_a_whole_second_keeps_its_fraction() -> None:
    whole = datetime(2026, 12, 3, 14, 32, 13, tzinfo=UTC)
    assert _Answer(at=whole).model_dump_json() == '{"at":"2026-12-03T14:32:13.000000Z"}'


def test_string_order_is_time_order() -> None:
    whole = datetime(2026, 12, 3, 14, 32, 13, tzinfo=UTC)
    later = whole + timedelta(milliseconds=23)
    as_text = [_Answer(at=moment).model_dump(mode="json")["at"] for moment in (whole, later)]
    assert as_text[0] < as_text[1]


def test_another_offset_is_written_in_utc() -> None:
    paris = datetime(2026, 12, 3, 15, 32, 13, 5, tzinfo=timezone(timedelta(hours=1)))
    assert _Answer(at=paris).model_dump(mode="json")["at"] == "2026-12-03T14:32:13.000005Z"


def test_the_schema_still_says_date_time() -> None:
    schema = TypeAdapter(Moment).json_schema(mode="serialization")
    assert schema == {"type": "string", "format": "date-time"}


def _is_bare_datetime(annotation: object, metadata: list[object]) -> bool:
    if annotation is datetime:
        return not any(isinstance(item, PlainSerializer) for item in metadata)
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        return _is_bare_datetime(inner, extra)
    return any(_is_bare_datetime(arg, []) for arg in get_args(annotation))


def test_every_answer_writes_its_moments_so() -> None:
    bare = []
    for info in pkgutil.walk_packages(mdcreator.__path__, "mdcreator."):
        if not info.name.rsplit(".", 1)[-1].endswith("schemas"):
            continue
        module = importlib.import_module(info.name)
        for name, model in vars(module).items():
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            if model.__module__ != module.__name__:
                continue
            for field_name, field in model.model_fields.items():
                if _is_bare_datetime(field.annotation, list(field.metadata)):
                    bare.append(f"{info.name}.{name}.{field_name}")
    assert bare == []
