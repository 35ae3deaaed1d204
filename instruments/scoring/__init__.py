"""Pure-Python scoring engine for the instrument library (no Django import).

``score(code, responses) -> dict`` returns every score of an instrument under a
snake_case name: ``total`` for the main total, subscales under their official
names, ``band`` for a severity category where the manual defines one, and
``None`` where the manual's missing-data rule says a score cannot be computed.

Every module in this package that does not start with ``_`` is a scorer module
and is imported here, so adding an instrument is adding a file.
"""

import importlib
import pkgutil

from ._registry import SCORERS, UnknownScorer, score, scorer, scoring_version

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["SCORERS", "UnknownScorer", "score", "scorer", "scoring_version"]
