"""Retrying calls to the outside (feed fetches, mail): transient errors only, exponential backoff with jitter.

The policy is tenacity's; this module only says which errors are worth another attempt and honours a server's
Retry-After (an exception may carry `retry_after` seconds): waited in full when it is within the longest wait,
else the call gives up at once rather than hammer a server that asked for quiet.
"""

import logging
from collections.abc import Callable

import tenacity

logger = logging.getLogger(__name__)


def _retry_after(exception: BaseException | None) -> float | None:
    value = getattr(exception, "retry_after", None)
    return float(value) if value is not None else None


class _WaitHonouringRetryAfter(tenacity.wait.wait_base):
    def __init__(self, backoff: tenacity.wait.wait_base):
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        asked = _retry_after(retry_state.outcome.exception() if retry_state.outcome else None)
        backoff = self.backoff(retry_state)
        return max(backoff, asked) if asked is not None else backoff


def retrying(
    *,
    attempts: int,
    base_seconds: float,
    max_seconds: float,
    is_transient: Callable[[BaseException], bool],
    name: str = "call",
) -> tenacity.Retrying:
    """A tenacity controller: `for attempt in retrying(...): with attempt: call()`, or `retrying(...)(call)`.

    The last error is raised as itself (not wrapped) when the attempts are used up or an error is not transient.
    """

    def should_retry(exception: BaseException) -> bool:
        asked = _retry_after(exception)
        if asked is not None and asked > max_seconds:
            return False
        return is_transient(exception)

    def log_retry(retry_state: tenacity.RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        logger.info(
            "%s: attempt %s failed (%s); retrying in %.1f s",
            name,
            retry_state.attempt_number,
            type(error).__name__,
            retry_state.upcoming_sleep,
        )

    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=_WaitHonouringRetryAfter(
            tenacity.wait_exponential_jitter(multiplier=base_seconds, max=max_seconds, jitter=base_seconds)
        ),
        retry=tenacity.retry_if_exception(should_retry),
        before_sleep=log_retry,
        reraise=True,
    )
