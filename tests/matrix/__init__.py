"""URL keyword arguments for the persona matrix, contributed per app.

Each module here defines ``KWARGS``: kwarg name -> (own, foreign, other_study), three
functions of the ``world`` fixture (see tests/conftest.py) giving the value for an
object the site-A persona may reach, one at site B of the same study, and one in
another study. ``foreign`` and ``other_study`` may be None for kwargs that name no
object (a visit code, say): those are filled with the ``own`` value only.
Functions may create objects; cache them on ``world`` (``world.__dict__``).
"""

import importlib
import pkgutil


def all_kwargs() -> dict:
    merged = {}
    for module in pkgutil.iter_modules(__path__):
        kwargs = importlib.import_module(f"{__name__}.{module.name}").KWARGS
        clash = set(kwargs) & set(merged)
        assert not clash, f"URL kwargs defined twice: {clash}"
        merged.update(kwargs)
    return merged
