"""`study.languages`: the label languages a study declares (docs/protocol-format.md, "Languages").

The file spells them as the product does (`en`, `zh-Hans`); the schema keeps the label keys (`"en"`, `"zh"`),
the same tuple ``instruments.definitions.parse_definition(languages=...)`` takes, so a study's own instruments
are checked against the same declaration.
"""

from __future__ import annotations

from typing import Any

from .reader import Reader, gettext_noop, join
from .schema import BOTH_LANGUAGES

# File spelling -> label key.
LANGUAGE_KEYS = {"en": "en", "zh-Hans": "zh"}


def read_languages(r: Reader, data: dict, path: str) -> tuple[str, ...]:
    """The declared label keys in canonical order; both when absent (and, after a problem, so that the rest of
    the file is still checked against something)."""
    if "languages" not in data:
        return BOTH_LANGUAGES
    here = join(path, "languages")
    value: Any = data["languages"]
    if not isinstance(value, list) or not value:
        r.add(here, gettext_noop("expected a list of languages: [en], [zh-Hans] or [en, zh-Hans]"))
        return BOTH_LANGUAGES
    keys = set()
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in LANGUAGE_KEYS:
            r.add(
                join(here, i),
                gettext_noop("unknown language %(value)s; this server offers en and zh-Hans"),
                value=repr(name),
            )
            continue
        keys.add(LANGUAGE_KEYS[name])
    return tuple(k for k in BOTH_LANGUAGES if k in keys) or BOTH_LANGUAGES
