"""RFC 6238 TOTP (30 s steps, 6 digits, HMAC-SHA1): the code an authenticator app shows for a hex key."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time


def totp_now(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)
