"""Who is calling: the token (a 32-hex project token or a 64-hex super token), its user and study, and the
study as this user's REDCap project. A token that is unknown, revoked, expired, of an inactive user or of a
user no longer a member is REDCap's 403, "You do not have permissions to use the API"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from accounts.capabilities import Action, can, can_see_arms, role_in
from instruments.registry import get_instrument
from studies.selectors import current_protocol

from ..models import ApiToken, SuperToken
from ..selectors import super_token_by_hash, token_by_hash
from ..services import hash_key, super_token_record_use, token_record_use
from ..throttling import TokenRateThrottle
from .project import Project, build_project
from .wire import NO_PERMISSION, RedcapError

HEX = re.compile(r"^[0-9a-fA-F]+$")


class Throttled(RedcapError):
    def __init__(self, wait: float | None):
        super().__init__("Too many API calls with this token: wait and try again.", status=429)
        self.wait = max(1, int(wait or 1))


@dataclass
class Caller:
    user: object
    token: ApiToken | None = None
    super_token: SuperToken | None = None

    @property
    def study(self):
        return self.token.study if self.token else None

    def can(self, action: Action) -> bool:
        return self.study is not None and can(self.user, self.study, action)

    @cached_property
    def sees_arms(self) -> bool:
        return self.study is not None and can_see_arms(self.user, self.study)

    @cached_property
    def protocol(self):
        return current_protocol(self.study)

    @cached_property
    def project(self) -> Project:
        """The study as this caller's project (a study without a protocol has no forms nor events: REDCap's
        classic project)."""
        if self.protocol is None:
            return Project(self.study.code, self.study.title, arms=(), events=(), forms=(), sees_arms=False)
        code = self.study.code

        def instrument_of(activity):
            return get_instrument(activity.code, activity.version, study=code)

        return build_project(self.protocol, instrument_of, sees_arms=self.sees_arms)


def caller_for(key: str) -> Caller:
    """The caller of ``key``, its use recorded and its rate checked (a 429 past it)."""
    key = key.strip().lower()
    if len(key) not in (32, 64) or not HEX.match(key):
        raise RedcapError(NO_PERMISSION, status=403)
    if len(key) == 64:
        found = super_token_by_hash(hash_key(key))
        if found is None or not (found.user.is_active and found.user.is_superuser):
            raise RedcapError(NO_PERMISSION, status=403)
        super_token_record_use(token=found)
        return Caller(user=found.user, super_token=found)
    token = token_by_hash(hash_key(key))
    if token is None or not token.user.is_active or role_in(token.user, token.study) is None:
        raise RedcapError(NO_PERMISSION, status=403)
    throttle = TokenRateThrottle()
    if not throttle.allow_request(SimpleNamespace(auth=token), None):
        raise Throttled(throttle.wait())
    token_record_use(token=token)
    return Caller(user=token.user, token=token)
