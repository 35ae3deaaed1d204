"""One Celery beat at a time: a beat started on a second machine (or twice by mistake) stands by.

Each beat holds a lease in the broker's Redis (``SET NX`` with an expiry, renewed on every tick) and sends the due
tasks only while it holds it. A standby beat keeps its own schedule moving (it marks due entries as run without
sending them), so that on taking over it does not fire every entry it missed; it takes over when the holder has not
renewed for BEAT_LOCK_SECONDS (it stopped or lost Redis). Start beat with
``celery -A lbpb beat --scheduler core.beat:SingleBeatScheduler``.
"""

from __future__ import annotations

import logging
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)
LOCK_KEY = "lbpb:beat:leader"
# Renew the lease only if this beat still holds it; give it up the same way.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class BeatLease:
    """The lease itself, apart from the scheduler so that it can be tested on its own."""

    def __init__(self, url: str, *, seconds: int, key: str = LOCK_KEY):
        self.client = redis.Redis.from_url(url)
        self.seconds, self.key, self.token = seconds, key, uuid.uuid4().hex

    def hold(self) -> bool:
        """Take the lease if it is free, renew it if it is ours; True while this beat holds it."""
        try:
            if self.client.set(self.key, self.token, nx=True, ex=self.seconds):
                return True
            return bool(self.client.eval(_RENEW, 1, self.key, self.token, self.seconds))
        except redis.RedisError:
            logger.warning("beat: Redis unavailable, not sending (another beat may hold the lease)")
            return False

    def release(self) -> None:
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            logger.warning("beat: could not release the lease; it expires in %s s", self.seconds)


class SingleBeatScheduler(PersistentScheduler):
    """PersistentScheduler that sends due tasks only while it holds the beat lease."""

    def __init__(self, *args, **kwargs):
        self.lease = BeatLease(settings.CELERY_BROKER_URL or "redis://", seconds=settings.BEAT_LOCK_SECONDS)
        self.leading = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        holds = self.lease.hold()
        if holds != self.leading:
            logger.info("beat: %s", "holding the lease, sending due tasks" if holds else "standing by")
        self.leading = holds
        delay = super().tick(*args, **kwargs)
        return min(delay, self.lease.seconds / 3)  # renewed well before it expires

    def apply_entry(self, entry, producer=None):
        if not self.leading:
            logger.debug("beat: standing by, %s not sent", entry.name)
            return
        super().apply_entry(entry, producer=producer)

    def close(self):
        if self.leading:
            self.lease.release()
        super().close()
