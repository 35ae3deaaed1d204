"""Typed access to a loaded YAML tree that records every problem instead of stopping at the first.

Plain Python rather than JSON Schema: a protocol author needs each problem with its key path and a plain
message ("unknown key 'ofset_days' (did you mean 'offset_days'?)"), all at once, and the cross-reference
checks (anchors, arms, windows, fields) need Python anyway; one mechanism is easier to read than two.

Each problem keeps its English template and parameters beside the finished English text, so a page can show it
in its viewer's language (studies/templatetags/protocol_problems.py). This package stays free of Django, so the
templates are marked with the local ``gettext_noop`` below; makemessages (xgettext's ``--keyword=gettext_noop``)
extracts them by that name, as for imaging/readers/errors.py.
"""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from core import yaml_bounds

from . import limits
from .schema import BOTH_LANGUAGES, Text

_MISSING = object()


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it (the parser does not know the viewer)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One problem in a file. ``message`` is the English text (logs, the management command, the API);
    ``msgid`` and ``params`` let a page translate it, ``translate`` names the params that are English labels
    ("a string") rather than data (a key, a value). A problem built from finished text has no ``msgid``."""

    file: str
    path: str
    message: str
    line: int | None = None
    msgid: str = ""
    params: dict = field(default_factory=dict, hash=False)
    translate: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, file: str, path: str, msgid: str, line: int | None = None, *, translate: tuple[str, ...] = (), **params
    ) -> Problem:
        message = msgid % params if params else msgid
        return cls(file, path, message, line, msgid, params, tuple(translate))

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


# Labels shown inside messages ("expected a mapping, got a list"): passed as params named in ``translate``.
STRING, INTEGER, NUMBER = gettext_noop("a string"), gettext_noop("an integer"), gettext_noop("a number")
TYPE_NAMES = {
    str: STRING,
    int: INTEGER,
    float: NUMBER,
    bool: gettext_noop("true/false"),
    list: gettext_noop("a list"),
    dict: gettext_noop("a mapping"),
    type(None): gettext_noop("nothing"),
}
TYPES = ("expected", "got")  # the params of a type mismatch that are labels


def _type_name(value: Any) -> str:
    return TYPE_NAMES.get(type(value), type(value).__name__)


def suggestion(word: str, choices) -> str | None:
    """The closest of ``choices`` to a misspelt ``word`` ("ofset_days" -> "offset_days"), if any is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key, mark):
        self.key = key
        super().__init__(None, None, f"duplicate key '{key}'", mark)


class _UniqueKeyLoader(yaml_bounds.DepthLoader):
    """The bounded loader (core.yaml_bounds), refusing also a key repeated in one mapping (PyYAML would silently
    keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Reader:
    """Collects problems for one file; each getter returns None (or the default) on a bad value."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        # The label languages every `{en, zh}` must give: the study's `languages`, once its block is read.
        self.languages: tuple[str, ...] = BOTH_LANGUAGES

    def add(self, path: str, msgid: str, line: int | None = None, *, translate: tuple[str, ...] = (), **params) -> None:
        """``r.add(path, gettext_noop("unknown key '%(key)s'"), key=key)``; params are data, shown as they are,
        except those named in ``translate`` (labels such as "a string")."""
        self.problems.append(Problem.of(self.filename, path, msgid, line, translate=translate, **params))

    def load(self, text: str) -> Any:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limits.MAX_FILE_BYTES:
            self.add(
                "",
                gettext_noop("the file is %(size)s bytes; a protocol file may be at most %(limit)s bytes"),
                size=size,
                limit=limits.MAX_FILE_BYTES,
            )
            return None
        try:
            return yaml_bounds.load(
                text, max_depth=limits.MAX_YAML_DEPTH, max_nodes=limits.MAX_YAML_NODES, loader=_UniqueKeyLoader
            )
        except yaml_bounds.Bound as exc:
            self._bound_problem(exc)
        except yaml.YAMLError as exc:
            self._syntax_problem(exc)
        return None

    def _bound_problem(self, exc: yaml_bounds.Bound) -> None:
        if exc.kind == "depth":
            line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
            msgid = gettext_noop("lists and mappings are nested more than %(limit)s deep (line %(line_number)s)")
            self.add("", msgid, line, limit=exc.limit, line_number=line)
        elif exc.kind == "cycle":
            self.add("", gettext_noop("an alias refers to the list or mapping that contains it"))
        elif exc.kind == "nodes":
            self.add(
                "",
                gettext_noop("the file expands to more than %(limit)s values (aliases counted in full)"),
                limit=exc.limit,
            )
        else:
            self.add(
                "",
                gettext_noop("lists and mappings are nested more than %(limit)s deep (aliases expanded)"),
                limit=exc.limit,
            )

    def _syntax_problem(self, exc: yaml.YAMLError) -> None:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        if isinstance(exc, _DuplicateKey):
            self.add(
                "",
                gettext_noop("YAML syntax error: duplicate key '%(key)s' (line %(line_number)s)"),
                line,
                key=str(exc.key),
                line_number=line,
            )
            return
        # PyYAML's own reason ("mapping values are not allowed here") is data: it has no catalogue.
        reason = getattr(exc, "problem", None) or str(exc)
        if line:
            msgid = gettext_noop("YAML syntax error: %(reason)s (line %(line_number)s)")
            self.add("", msgid, line, reason=reason, line_number=line)
        else:
            self.add("", gettext_noop("YAML syntax error: %(reason)s"), reason=reason)

    def mapping(self, data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            self.add(
                path,
                gettext_noop("expected %(expected)s, got %(got)s"),
                translate=TYPES,
                expected=TYPE_NAMES[dict],
                got=_type_name(data),
            )
            return None
        for key in required:
            if key not in data:
                self.add(join(path, key), gettext_noop("missing required key"))
        allowed = required + optional
        for key in data:
            if key not in allowed:
                self._unknown_key(join(path, str(key)), str(key), allowed)
        return data

    def _unknown_key(self, path: str, key: str, allowed) -> None:
        close = suggestion(key, allowed)
        if close:
            self.add(
                path, gettext_noop("unknown key '%(key)s' (did you mean '%(suggestion)s'?)"), key=key, suggestion=close
            )
        else:
            self.add(path, gettext_noop("unknown key '%(key)s'"), key=key)

    def _get(self, data: dict, key: str, path: str, types: tuple[type, ...], what: str, default: Any):
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        # bool is an int in Python, but `true` is never a valid count of days.
        wrong_bool = isinstance(value, bool) and bool not in types
        if wrong_bool or not isinstance(value, types):
            self.wrong_type(join(path, key), what, value)
            return default
        return value

    def wrong_type(self, path: str, expected: str, value: Any) -> None:
        self.add(
            path,
            gettext_noop("expected %(expected)s, got %(got)s %(value)s"),
            translate=TYPES,
            expected=expected,
            got=_type_name(value),
            value=repr(value),
        )

    def string(self, data: dict, key: str, path: str, default: Any = None) -> str | None:
        value = self._get(data, key, path, (str, int, float), STRING, default)
        # YAML reads unquoted 01 or 1.0 as numbers; codes and versions are text, so quote them.
        if value is not default and not isinstance(value, str):
            self.add(
                join(path, key),
                gettext_noop("expected a string, got %(got)s %(value)s (quote it)"),
                translate=("got",),
                got=_type_name(value),
                value=repr(value),
            )
            return default
        return value

    def integer(
        self,
        data: dict,
        key: str,
        path: str,
        default: Any = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ):
        value = self._get(data, key, path, (int,), INTEGER, default)
        if isinstance(value, int) and minimum is not None and value < minimum:
            self.add(
                join(path, key),
                gettext_noop("must be %(minimum)s or more, got %(value)s"),
                minimum=minimum,
                value=value,
            )
            return default
        if isinstance(value, int) and maximum is not None and value > maximum:
            self.add(
                join(path, key),
                gettext_noop("must be %(maximum)s or less, got %(value)s"),
                maximum=maximum,
                value=value,
            )
            return default
        return value

    def number(self, data: dict, key: str, path: str, default: Any = None):
        return self._get(data, key, path, (int, float), NUMBER, default)

    def boolean(self, data: dict, key: str, path: str, default: bool = False) -> bool:
        return self._get(data, key, path, (bool,), gettext_noop("true or false"), default)

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...], default: Any = None):
        value = self.string(data, key, path)
        if value is None:
            return default
        if value not in choices:
            self.add(
                join(path, key),
                gettext_noop("must be one of %(choices)s; got '%(value)s'"),
                choices=", ".join(choices),
                value=value,
            )
            return default
        return value

    def date(self, data: dict, key: str, path: str) -> date | None:
        value = data.get(key)
        parsed = None
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                parsed = date.fromisoformat(value)
        if parsed is not None and not limits.MIN_YEAR <= parsed.year <= limits.MAX_YEAR:
            self.add(
                join(path, key),
                gettext_noop("the date %(value)s is not between the years %(first)s and %(last)s"),
                value=parsed.isoformat(),
                first=limits.MIN_YEAR,
                last=limits.MAX_YEAR,
            )
            return None
        if parsed is None and value is not None:
            self.add(join(path, key), gettext_noop("expected a date YYYY-MM-DD, got %(value)s"), value=repr(value))
        return parsed

    def items(self, data: dict, key: str, path: str, limit: int | None = None) -> list[tuple[str, Any]]:
        """(path, element) pairs of a list value; [] when absent or not a list. Past ``limit`` elements a problem
        is recorded and only the first ``limit`` are read."""
        value = self._get(data, key, path, (list,), TYPE_NAMES[list], [])
        if limit is not None and len(value) > limit:
            self.add(
                join(path, key),
                gettext_noop("at most %(limit)s entries are accepted, got %(count)s"),
                limit=limit,
                count=len(value),
            )
            value = value[:limit]
        return [(join(join(path, key), i), item) for i, item in enumerate(value)]

    def strings(self, data: dict, key: str, path: str) -> tuple[str, ...]:
        out = []
        for item_path, item in self.items(data, key, path):
            if isinstance(item, str):
                out.append(item)
            else:
                self.wrong_type(item_path, STRING, item)
        return tuple(out)

    def text(self, data: dict, key: str, path: str) -> Text | None:
        value = data.get(key)
        if value is None:
            return None
        here = join(path, key)
        required = self.languages
        if self.mapping(value, here, required, tuple(k for k in BOTH_LANGUAGES if k not in required)) is None:
            return None
        en, zh = self.string(value, "en", here, default=""), self.string(value, "zh", here, default="")
        empty = [lang for lang in required if lang in value and value[lang] in (None, "")]
        for lang in empty:  # present but empty: absent keys and wrong types were reported above
            self.add(join(here, lang), gettext_noop("the label is empty; this study requires it in this language"))
        if any(lang in required and not given for lang, given in (("en", en), ("zh", zh))):
            return None
        return Text(en=en, zh=zh)
