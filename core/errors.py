"""Errors a user can cause, each with its HTTP status; AppErrorMiddleware renders them."""


class AppError(Exception):
    status = 400
    title = "Something is not right"

    def __init__(self, message: str, *, title: str | None = None):
        super().__init__(message)
        self.message = message
        if title:
            self.title = title


class InvalidInput(AppError):
    status = 400
    title = "Please check your input"


class NotAllowed(AppError):
    status = 403
    title = "Not allowed"


class NotFound(AppError):
    status = 404
    title = "Not found"


class Conflict(AppError):
    status = 409
    title = "This changed in the meantime"


class RateLimited(AppError):
    status = 429
    title = "Too many requests"

    def __init__(self, message: str, *, title: str | None = None, retry_after: int | None = None):
        super().__init__(message, title=title)
        # Seconds until the budget refills: sent as Retry-After.
        self.retry_after = retry_after


class Unavailable(AppError):
    status = 503
    title = "Temporarily unavailable"
