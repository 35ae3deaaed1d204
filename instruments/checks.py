"""System check: every problem of the instrument library is an Error at start-up."""

from django.core import checks

from .definitions import LIBRARY_ROOT, check_library


def library_root():
    """Where the library is read from (a function, so tests can point it at a broken copy)."""
    return LIBRARY_ROOT


@checks.register(checks.Tags.models)
def check_instrument_library(app_configs=None, **kwargs):
    return [
        checks.Error(
            str(problem),
            hint="Fix the instrument definition (docs/instrument-format.md).",
            obj=problem.file,
            id="instruments.E001",
        )
        for problem in check_library(library_root())
    ]
