"""Registry of pure scoring functions.

Each scorer module in this package registers its functions with ``@scorer``.
No Django import is allowed anywhere in ``instruments.scoring``: scoring must
run the same in a view, an import, a Celery task or a benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Responses = Mapping[str, Any]
Scores = dict[str, Any]
Scorer = Callable[[Responses], Scores]

SCORERS: dict[str, Scorer] = {}
VERSIONS: dict[str, str] = {}


class UnknownScorer(KeyError):
    """Raised when no scorer is registered under a code."""


def scorer(code: str, *, version: str = "1") -> Callable[[Scorer], Scorer]:
    """Register ``fn`` as the scorer for instrument ``code``.

    ``version`` is the scoring version: bump it whenever a change to the
    function could change a stored score, so that stored responses can be
    recomputed (``manage.py rescore``).
    """

    def register(fn: Scorer) -> Scorer:
        if code in SCORERS:
            raise ValueError(f"scorer {code!r} registered twice")
        SCORERS[code] = fn
        VERSIONS[code] = version
        return fn

    return register


def score(code: str, responses: Responses) -> dict[str, Any]:
    """Score ``responses`` (item code -> value) for instrument ``code``."""
    try:
        fn = SCORERS[code]
    except KeyError:
        raise UnknownScorer(code) from None
    return fn(responses)


def scoring_version(code: str) -> str:
    return VERSIONS[code]
