"""Query parameters of the v1 lists: each view names its filters; anything else is a 400 naming the allowed
ones (a misspelt filter would otherwise return everything)."""

from rest_framework.exceptions import ValidationError

PAGING = ("page", "page_size", "format")


def checked_filters(params, allowed: dict[str, str]) -> dict[str, str]:
    """``{lookup: value}`` for the given filters of ``allowed`` (parameter -> lookup); a 400 for an unknown one."""
    unknown = sorted(set(params) - set(allowed) - set(PAGING))
    if unknown:
        names = ", ".join((*allowed, *PAGING))
        raise ValidationError(
            {
                "query": {
                    "en": f"Unknown query parameter(s): {', '.join(unknown)}. Allowed: {names}.",
                    "zh": f"未知的查询参数：{', '.join(unknown)}。可用参数：{names}。",
                }
            }
        )
    lookups = {allowed[name]: params.get(name) for name in allowed if params.get(name)}
    for lookup, value in lookups.items():
        if lookup.endswith("_id") and not (value.isascii() and value.isdigit() and len(value) <= 18):
            name = next(key for key, target in allowed.items() if target == lookup)
            raise ValidationError({name: {"en": f"{name} must be a number.", "zh": f"{name} 必须是数字。"}})
    return lookups
