"""Typed access to a loaded YAML tree that records every problem instead of stopping at the first.

Plain Python rather than JSON Schema: a protocol author needs each problem with its key path and a plain
message ("unknown key 'ofset_days' (did you mean 'offset_days'?)"), all at once, and the cross-reference
checks (anchors, arms, windows, fields) need Python anyway; one mechanism is easier to read than two.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from .schema import Text

_MISSING = object()


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(document)'}: {self.message}"


class ProtocolError(ValueError):
    """Raised with every problem found in a protocol file."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true/false",
             list: "a list", dict: "a mapping", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping (PyYAML would silently keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Reader:
    """Collects problems for one file; each getter returns None (or the default) on a bad value."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.filename, path, message, line))

    def load(self, text: str) -> Any:
        try:
            return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(exc, "problem", None) or str(exc)
            self.add("", f"YAML syntax error: {reason}" + (f" (line {line})" if line else ""), line)
            return None

    def mapping(self, data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            self.add(path, f"expected a mapping, got {_type_name(data)}")
            return None
        for key in required:
            if key not in data:
                self.add(join(path, key), "missing required key")
        allowed = required + optional
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.add(join(path, str(key)), f"unknown key '{key}'{hint}")
        return data

    def _get(self, data: dict, key: str, path: str, types: tuple[type, ...], what: str, default: Any):
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        # bool is an int in Python, but `true` is never a valid count of days.
        wrong_bool = isinstance(value, bool) and bool not in types
        if wrong_bool or not isinstance(value, types):
            self.add(join(path, key), f"expected {what}, got {_type_name(value)} {value!r}")
            return default
        return value

    def string(self, data: dict, key: str, path: str, default: Any = None) -> str | None:
        value = self._get(data, key, path, (str, int, float), "a string", default)
        # YAML reads unquoted 01 or 1.0 as numbers; codes and versions are text, so quote them.
        if value is not default and not isinstance(value, str):
            self.add(join(path, key), f"expected a string, got {_type_name(value)} {value!r} (quote it)")
            return default
        return value

    def integer(self, data: dict, key: str, path: str, default: Any = None, minimum: int | None = None):
        value = self._get(data, key, path, (int,), "an integer", default)
        if isinstance(value, int) and minimum is not None and value < minimum:
            self.add(join(path, key), f"must be {minimum} or more, got {value}")
            return default
        return value

    def number(self, data: dict, key: str, path: str, default: Any = None):
        return self._get(data, key, path, (int, float), "a number", default)

    def boolean(self, data: dict, key: str, path: str, default: bool = False) -> bool:
        return self._get(data, key, path, (bool,), "true or false", default)

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...], default: Any = None):
        value = self.string(data, key, path)
        if value is None:
            return default
        if value not in choices:
            self.add(join(path, key), f"must be one of {', '.join(choices)}; got '{value}'")
            return default
        return value

    def date(self, data: dict, key: str, path: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if value is not None:
            self.add(join(path, key), f"expected a date YYYY-MM-DD, got {value!r}")
        return None

    def items(self, data: dict, key: str, path: str) -> list[tuple[str, Any]]:
        """(path, element) pairs of a list value; [] when absent or not a list."""
        value = self._get(data, key, path, (list,), "a list", [])
        return [(join(join(path, key), i), item) for i, item in enumerate(value)]

    def strings(self, data: dict, key: str, path: str) -> tuple[str, ...]:
        out = []
        for item_path, item in self.items(data, key, path):
            if isinstance(item, str):
                out.append(item)
            else:
                self.add(item_path, f"expected a string, got {_type_name(item)} {item!r}")
        return tuple(out)

    def text(self, data: dict, key: str, path: str) -> Text | None:
        value = data.get(key)
        if value is None:
            return None
        here = join(path, key)
        if self.mapping(value, here, ("en", "zh")) is None:
            return None
        en, zh = self.string(value, "en", here), self.string(value, "zh", here)
        if not en or not zh:
            return None
        return Text(en=en, zh=zh)
