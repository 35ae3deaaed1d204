"""Library versions recorded next to every derived value, so a result can be traced and reproduced."""

import platform
from functools import cache
from importlib import metadata


@cache
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def software_versions(*packages: str) -> dict[str, str]:
    """Return {"python": ..., package: version, ...}; a fresh dict each call so callers may extend it."""
    versions = {"python": platform.python_version()}
    versions.update({package: _version(package) for package in packages})
    return versions
