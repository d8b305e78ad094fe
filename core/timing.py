"""Answers that take the same time whichever way they went.

Where the work behind an answer differs with something the user must not
learn (whether a person is registered in another unit, say), the time the
answer takes would tell it even when the words do not. Padding the work to a
fixed floor hides the difference, whatever the database and its load, as
long as the work itself stays under the floor.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def at_least(seconds: float) -> Iterator[None]:
    """Let the block take at least ``seconds``: sleep for what is left of them.

    The block's own exceptions are not delayed: they are about the input, not
    the hidden branch (a form error, a refusal of the asker).
    """
    started = time.monotonic()
    yield
    remaining = seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
