"""The one family of errors that domain services raise. Views and the API turn them into responses."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule of the domain refused the operation. `message` is shown to the user as it is."""

    status_code = 422

    def __init__(self, message, *, code: str = "invalid", errors: list | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.errors = errors or []


class NotFound(DomainError):
    """The object does not exist or lies outside the actor's scope: the two look the same."""

    status_code = 404

    def __init__(self, message=None, **kwargs):
        from django.utils.translation import gettext

        super().__init__(message or gettext("Not found."), code="not_found", **kwargs)


class Forbidden(DomainError, PermissionDenied):
    """The actor may see the object but not do this to it (a 403 on pages and in the API alike)."""

    status_code = 403

    def __init__(self, message=None, **kwargs):
        from django.utils.translation import gettext

        super().__init__(message or gettext("You do not have permission to do this."), code="forbidden", **kwargs)


class Conflict(DomainError):
    """Someone else changed the object first (a lock or a state check lost the race)."""

    status_code = 409


# serialization failure, deadlock, lock not available (PostgreSQL's lock_timeout)
LOCK_SQLSTATES = {"40001", "40P01", "55P03"}


def is_lock_error(exc: Exception) -> bool:
    """The database refused because another writer holds a lock: SQLite's "database is locked" after
    the busy timeout (settings.HOUQIN_DB_BUSY_TIMEOUT), PostgreSQL's lock timeout, serialization
    failure or deadlock. Nothing was written; trying again later may succeed."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in LOCK_SQLSTATES:
        return True
    text = str(exc).lower()
    return "locked" in text or "deadlock" in text


def busy_message() -> str:
    """What a user is told when a write met a locked database (503, nothing saved)."""
    from django.utils.translation import gettext

    return gettext("The system is busy: nothing was saved, please try again.")


def field_error(field: str, message, *, cls=None, code: str = "invalid") -> DomainError:
    """The error of one field, for a service to raise:
    `raise field_error("date", _("The date is in the future."))`."""
    return (cls or DomainError)(message, code=code, errors=[{"field": field, "message": message}])


def raise_for(errors, *, cls=None, code: str = "invalid") -> None:
    """Raise the errors a service found, if any: a list of {"field", "message"} or a {field: message}
    dict. One error is shown by its own message; several by "Please correct the errors below." with
    each message at its field."""
    if not errors:
        return
    if isinstance(errors, dict):
        errors = [{"field": f, "message": m} for f, m in errors.items()]
    from django.utils.translation import gettext

    message = errors[0]["message"] if len(errors) == 1 else gettext("Please correct the errors below.")
    raise (cls or DomainError)(message, code=code, errors=errors)


@dataclass
class RowError:
    """One problem found in an imported file: where it is and why, in the user's language."""

    row: int | None
    column: str
    message: str
    sheet: str = ""
    code: str = field(default="invalid")

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code, "message": str(self.message)}
