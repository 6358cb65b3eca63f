"""The poll loop shared by the background workers (outbox, billing uploads)."""

import signal
import time
from collections.abc import Callable


def run_until_stopped(round_: Callable[[], bool], *, once: bool, poll_seconds: float) -> None:
    """Run ``round_`` until SIGTERM/SIGINT; sleep ``poll_seconds`` after a round with nothing to do.
    ``round_`` returns whether it did anything; with ``once`` there is exactly one round."""
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        busy = round_()
        if once:
            break
        if not busy:
            time.sleep(poll_seconds)
