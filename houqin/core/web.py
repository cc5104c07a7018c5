"""Small pieces the HTML views of every area share."""

from django.http import HttpResponse

from houqin.core.errors import DomainError


def add_domain_errors(form, exc: DomainError) -> None:
    """Show a service's DomainError on the form: per field where it names one, else on top."""
    placed = False
    for error in exc.errors:
        field = error.get("field") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else str(error)
        if field and field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
