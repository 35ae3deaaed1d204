"""Instrument definitions: load and check YAML files, evaluate branching, clean responses.

Pure Python (no Django import). The Django app loads the library once at start-up and calls
``clean_responses`` then ``compute`` on every save, whatever the write path.
"""

from .branching import evaluate, visible_items
from .cleaning import CleanResult, clean_responses
from .library import LIBRARY_ROOT, Library, check_library, latest, load_definition, load_library
from .model import (
    Condition,
    DefinitionError,
    Instrument,
    Item,
    Label,
    Option,
    Problem,
    ScoreSpec,
    Section,
)
from .parse import parse_definition
from .scorers import compute, scoring_version

__all__ = [
    "LIBRARY_ROOT",
    "CleanResult",
    "Condition",
    "DefinitionError",
    "Instrument",
    "Item",
    "Label",
    "Library",
    "Option",
    "Problem",
    "ScoreSpec",
    "Section",
    "check_library",
    "clean_responses",
    "compute",
    "evaluate",
    "latest",
    "load_definition",
    "load_library",
    "parse_definition",
    "scoring_version",
    "visible_items",
]
