"""A protocol-file problem in the viewer's language: ``{{ problem|problem_message }}`` for the message alone,
``{{ problem|problem_text }}`` for "file:line: key path: message".

The parser (pure, no Django) keeps each problem's English template and parameters; translating here, when the
page is drawn, is what lets one upload be read in Chinese by one person and in English by another.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def problem_message(problem) -> str:
    """The translated message; the English ``message`` for a problem built from finished text (no ``msgid``) or
    whose translation no longer fits its parameters (a catalogue out of step with the code)."""
    msgid = getattr(problem, "msgid", "")
    if not msgid:
        return problem.message
    translate = getattr(problem, "translate", ())
    params = {
        name: gettext(value) if name in translate and isinstance(value, str) else value
        for name, value in (problem.params or {}).items()
    }
    try:
        return gettext(msgid) % params if params else gettext(msgid)
    except (KeyError, TypeError, ValueError):
        return problem.message


@register.filter
def problem_text(problem) -> str:
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: {problem.path or gettext('(whole file)')}: {problem_message(problem)}"
