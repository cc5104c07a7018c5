"""The JSON API under /api/: one NinjaAPI, authenticated by session (with CSRF) or bearer token.

Each area adds a Router in its own api.py; endpoints declare their capability with
`@policy.requires(...)` exactly as the HTML views do and call the same services and selectors.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from houqin.core.errors import DomainError, busy_message, is_lock_error
from houqin.core.files import unreadable_request_message
from houqin.core.inputs import InputParser, InputRejected
from houqin.core.tokens import api_token_check


class SessionAuth(APIKeyCookie):
    """The browser's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        from houqin.core.otp import pending

        if request.user.is_authenticated and request.user.is_active:
            if pending(request):  # two-step sign-in not done (core.otp.TwoFactorMiddleware answers 403 first)
                raise PermissionDenied
            return request.user
        return None


class TokenAuth(HttpBearer):
    """A device's or another system's token; it acts only in its own kindergarten. Tokens are not
    asked for a two-step sign-in code (they are made by a signed-in principal for one device)."""

    def authenticate(self, request, token):
        api_token = api_token_check(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        request._dont_enforce_csrf_checks = True
        return api_token.user


def docs_access(view):
    """The API's documentation and schema (`/api/docs`, `/api/openapi.json`) are for signed-in users,
    unless HOUQIN_API_DOCS_PUBLIC opens them (on by default only with HOUQIN_DEBUG)."""
    import functools

    from django.conf import settings
    from django.http import JsonResponse

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.HOUQIN_API_DOCS_PUBLIC and not request.user.is_authenticated:
            if request.path.endswith(".json"):
                return JsonResponse({"detail": _("Sign in or send a valid API token.")}, status=401)
            from houqin.policy import redirect_to_login

            return redirect_to_login(request)
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Houqin API",
    version="1",
    description="Houqin (后勤): kindergarten logistics. Every path under /k/{kg}/ acts in one kindergarten.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=docs_access,
    parser=InputParser(),
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"detail": str(exc.message), "code": exc.code}
    if exc.errors:
        body["errors"] = [e.as_dict() if hasattr(e, "as_dict") else e for e in exc.errors]
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(MultiPartParserError)
def _unreadable_body(request, exc):
    return api.create_response(request, {"detail": unreadable_request_message(), "code": "bad_request"}, status=400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": _("Sign in or send a valid API token.")}, status=401)


@api.exception_handler(ValidationError)
def _django_validation(request, exc: ValidationError):
    return api.create_response(request, {"detail": _("Invalid data."), "errors": exc.message_dict if hasattr(exc, "error_dict") else exc.messages}, status=422)


def _schema_message(error: dict) -> str:
    """A field's refusal in the user's language: pydantic words its messages in English, and an app or
    a bureau's system shows them to people ("Input should be a finite number" under a Chinese detail)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error":  # our own validators: their message is already translated
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if kind == "missing":
        return _("This field is required.")
    if kind == "finite_number":
        return _("Give a finite number (not NaN or Infinity).")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "int_parsing", "int_type",
                "int_from_float", "decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return _("Give a number.") if kind != "decimal_max_places" else _("Too many decimal places.")
    if kind.startswith(("date", "datetime", "time")):
        return _("Give a date as 2026-12-01 (a time as 2026-12-01T09:30:00+08:00).")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("The value is out of range.")
    if kind in ("string_too_long", "too_long"):
        return _("The text is too long.") if kind == "string_too_long" else _("Too many items.")
    if kind == "string_too_short":
        return _("This field is required.") if ctx.get("min_length", 1) <= 1 else _("The text is too short.")
    if kind == "too_short":
        return _("Too few items.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the allowed values.")
    if kind.startswith("uuid"):
        return _("Not a valid code.")
    if kind.startswith("bool"):
        return _("Give true or false.")
    return _("This value is not valid.")


@api.exception_handler(NinjaValidationError)
def _schema_validation(request, exc):
    """422 with each field's refusal in the user's language ("msg"); "loc" and "type" stay pydantic's,
    for programs."""
    errors = [{**{k: v for k, v in e.items() if k in ("loc", "type")}, "msg": _schema_message(e)}
              if isinstance(e, dict) else e for e in exc.errors]
    return api.create_response(request, {"detail": _("Invalid data."), "errors": errors}, status=422)


@api.exception_handler(InputRejected)
def _input_rejected(request, exc: InputRejected):
    return api.create_response(request, {"detail": _("Invalid data."), "errors": [{"message": exc.message}]},
                               status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja wraps what the body parser raises: the input rules' refusal stays a 422 with its reason,
    a body that is not JSON a 400 in the user's language."""
    if isinstance(exc.__cause__, InputRejected):
        return _input_rejected(request, exc.__cause__)
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, {"detail": _("The request body is not valid JSON.")}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _database_refused(request, exc):
    """A value the database cannot hold that slipped past the input rules: 422, nothing saved."""
    logging.getLogger("houqin.input").warning("input refused by the database: %r", exc)
    return api.create_response(request, {"detail": _("Invalid data.")}, status=422)


api.add_exception_handler(DataError, _database_refused)
api.add_exception_handler(OverflowError, _database_refused)


@api.exception_handler(IntegrityError)
def _integrity(request, exc):
    logging.getLogger("houqin.input").warning("input refused by a constraint: %r", exc)
    return api.create_response(request, {"detail": _("This conflicts with the records kept (a duplicate, or a value "
                                                      "out of range).")}, status=409)


@api.exception_handler(OperationalError)
def _busy(request, exc):
    """A write that met a locked database: 503 with Retry-After, nothing saved; any other database
    failure stays what it is."""
    if not is_lock_error(exc):
        raise exc
    logging.getLogger("houqin.busy").warning("write refused, database locked: %r", exc)
    response = api.create_response(request, {"detail": busy_message(), "code": "busy"}, status=503)
    response["Retry-After"] = "5"
    return response


def _mount_area_routers():
    """Every Houqin app with an `api.py` that defines `router` is mounted at /api/."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("houqin.") and find_spec(f"{config.name}.api") and config.name != "houqin.core":
            module = import_module(f"{config.name}.api")
            if hasattr(module, "router"):
                api.add_router("/", module.router)


_mount_area_routers()
