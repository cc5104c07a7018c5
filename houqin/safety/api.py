"""JSON API of this area: the same selectors and services as the pages, the same policy."""

from ninja import Router

router = Router(tags=["safety"])
