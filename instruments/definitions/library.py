"""Load instrument YAML files: one file, or the whole library (instruments/library/<code>/<version>.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import DefinitionError, Instrument, Problem
from .parse import parse_definition
from .scorers import scorer_problems

LIBRARY_ROOT = Path(__file__).resolve().parent.parent / "library"


def version_key(version: str) -> tuple:
    """Sort "1.10" after "1.9": numeric parts compare as numbers."""
    parts = re.split(r"[.\-]", version)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


class Library(dict):
    """(code, version) -> Instrument, with version look-ups."""

    def versions(self, code: str) -> list[str]:
        return sorted((version for c, version in self if c == code), key=version_key)

    def latest(self, code: str) -> Instrument:
        versions = self.versions(code)
        if not versions:
            raise KeyError(code)
        return self[(code, versions[-1])]


def latest(library: Library, code: str) -> Instrument:
    return library.latest(code)


def read_definition(path: Path | str) -> tuple[Instrument | None, list[Problem]]:
    """Parse and check one file; return the instrument (when it parsed) and every problem."""
    file = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return None, [Problem(file, "", f"cannot read YAML: {error}")]
    instrument, problems = parse_definition(data, file)
    if instrument is not None and not problems:
        problems = scorer_problems(instrument, file)
    return instrument, problems


def load_definition(path: Path | str) -> Instrument:
    instrument, problems = read_definition(path)
    if problems or instrument is None:
        raise DefinitionError(problems)
    return instrument


def _layout_problems(path: Path, instrument: Instrument) -> list[Problem]:
    problems, file = [], str(path)
    if path.parent.name != instrument.code:
        problems.append(Problem(file, "code", f"code {instrument.code!r} is not the folder name"))
    if path.stem != instrument.version:
        problems.append(Problem(file, "version", f"version {instrument.version!r} differs from file name"))
    return problems


def read_library(root: Path | str = LIBRARY_ROOT) -> tuple[Library, list[Problem]]:
    library, problems = Library(), []
    for path in sorted(Path(root).glob("*/*.yaml")):
        instrument, found = read_definition(path)
        if instrument is not None:
            found += _layout_problems(path, instrument)
        problems += found
        if instrument is not None and not found:
            library[instrument.key] = instrument
    return library, problems


def load_library(root: Path | str = LIBRARY_ROOT) -> Library:
    """Every instrument under ``root``; raises DefinitionError listing all problems of all files."""
    library, problems = read_library(root)
    if problems:
        raise DefinitionError(problems)
    return library


def check_library(root: Path | str = LIBRARY_ROOT) -> list[Problem]:
    """Every problem in the library, for the Django system check."""
    return read_library(root)[1]
