"""RFC 6238 codes, as an authenticator app computes them (SHA-1, 6 digits, 30 s)."""

import hashlib
import hmac
import struct
import time

STEP = 30


def step_now() -> int:
    return int(time.time()) // STEP


def code(key_hex: str, step: int) -> str:
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class CodeSource:
    """Codes for one device, never one step twice (django-otp refuses a step used before)."""

    def __init__(self, key_hex: str) -> None:
        self.key_hex = key_hex
        self.last_step = -1

    def next_code(self) -> str:
        step = step_now()
        if step <= self.last_step:
            # Wait for the next step rather than use a step ahead (that would drift the device).
            time.sleep((self.last_step + 1) * STEP - time.time() + 0.5)
            step = step_now()
        self.last_step = step
        return code(self.key_hex, step)

    def wrong_code(self) -> str:
        right = {code(self.key_hex, step_now() + delta) for delta in (-1, 0, 1)}
        for candidate in ("000000", "123456", "999999", "314159"):
            if candidate not in right:
                return candidate
        return "271828"
