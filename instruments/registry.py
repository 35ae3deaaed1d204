"""The instrument library, loaded once per process and shared by every caller."""

from functools import cache

from .definitions.library import LIBRARY_ROOT, Library, latest, load_library
from .definitions.model import Instrument


@cache
def get_library() -> Library:
    return load_library(LIBRARY_ROOT)


def instrument_codes() -> set[str]:
    return {code for code, _version in get_library()}


def get_instrument(code: str, version: str | None = None) -> Instrument:
    """The definition of ``code`` at ``version`` (latest when None). KeyError when unknown."""
    library = get_library()
    if version is None:
        return latest(library, code)
    return library[(code, version)]
