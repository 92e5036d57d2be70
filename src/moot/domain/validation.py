"""Turning pydantic's validation errors into Zoom's ``300 Validation Failed.`` with ``errors[]``."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from moot.domain.errors import FieldError, InvalidJsonBody, ValidationFailed

M = TypeVar("M", bound=BaseModel)


class ZoomInput(BaseModel):
    """Base for request bodies: lax coercion (``"30"``, ``"true"``), unknown fields ignored."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=False)

    def sent(self) -> set[str]:
        """Fields the client sent with a non-null value: null means "not sent", as Zoom reads it."""
        return {name for name in self.model_fields_set if getattr(self, name) is not None}


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif not item.startswith(("function-", "literal[", "int", "str", "bool")):
            parts.append(item)
    return ".".join(parts)


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind == "string_too_long":
        return f"Length must be less than or equal to {ctx.get('max_length')}."
    if kind == "string_too_short":
        return f"Length must be greater than or equal to {ctx.get('min_length')}."
    if kind == "value_error":
        return str(ctx.get("error") or "Invalid field.")
    return "Invalid field."


def field_errors(exc: ValidationError) -> list[FieldError]:
    seen: dict[str, FieldError] = {}
    for error in exc.errors(include_url=False):
        path = _field_path(tuple(error["loc"]))
        seen.setdefault(path, FieldError(path, _message(error)))
    return list(seen.values())


def parse(model: type[M], data: Any) -> M:
    """Validate a decoded JSON body; anything but an object is not a valid body."""
    if not isinstance(data, dict):
        raise InvalidJsonBody()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None
