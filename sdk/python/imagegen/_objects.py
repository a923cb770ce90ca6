"""API results as objects: attribute access (``result.images[0].url``) over the JSON answer."""
from __future__ import annotations

from typing import Any


class ApiObject(dict):  # type: ignore[type-arg]
    """A JSON object of the API. Fields read as attributes or items; it stays a dict (json.dumps works).

    Field names are the API's own snake_case names; a missing field raises AttributeError.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __repr__(self) -> str:
        return f"ApiObject({dict.__repr__(self)})"


def wrap(value: Any) -> Any:
    """JSON as ApiObjects (objects) and lists of them, recursively."""
    if isinstance(value, dict):
        return ApiObject({key: wrap(inner) for key, inner in value.items()})
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value
