"""Values read once per request and shared by whoever asks for them within it.

The home page asks every area for its to-dos, and several providers need the same rows: the
kindergarten's rule overrides (core.rules.figures), the dishes served on the look-back days
(canteen.selectors.served_dishes_on). Within a scope (core.middleware.PerRequestMiddleware opens
one around each request) `shared(key, read)` calls `read()` the first time `key` is asked and gives
the same value after; `shared_many` does the same for several keys read by one query.

What makes it right: the scope ends with the request, so no later request sees what this one read;
and within it, any statement other than a SELECT sent to the database (a write, a savepoint, a
rollback: seen through the connection's execute wrapper) empties the scope, so nothing read before a
write is given out after it. `forget(key)` drops one key by hand. Outside a scope nothing is kept:
`shared` and `shared_many` just read.

A value is given to every caller as it is: `read` returns something no caller changes, or the
function that calls `shared` hands out copies.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection


class _Scope:
    __slots__ = ("values", "writes")

    def __init__(self):
        self.values: dict = {}
        self.writes = 0  # statements other than SELECT sent in the scope


_scope: ContextVar[_Scope | None] = ContextVar("houqin_per_request", default=None)


def _forget_on_write(execute, sql, params, many, context):
    current = _scope.get()
    if current is not None and sql.lstrip()[:6].upper() != "SELECT":
        current.writes += 1
        current.values.clear()
    return execute(sql, params, many, context)


@contextmanager
def scope():
    """Within the block, shared values are read once (until a write); they end with the block."""
    token = _scope.set(_Scope())
    try:
        with connection.execute_wrapper(_forget_on_write):
            yield
    finally:
        _scope.reset(token)


def shared(key: Hashable, read: Callable):
    """`read()`, once per scope for `key` (every call outside a scope)."""
    current = _scope.get()
    if current is None:
        return read()
    if key in current.values:
        return current.values[key]
    writes = current.writes
    value = read()
    if current.writes == writes:  # kept only when nothing was written while reading
        current.values[key] = value
    return value


def shared_many(keys: Iterable[Hashable], read: Callable[[list], dict]) -> dict:
    """{key: value} for `keys`; `read(missing keys)` returns {key: value} for the keys not read yet in
    the scope (all of them outside a scope), in one go."""
    keys = list(dict.fromkeys(keys))
    current = _scope.get()
    if current is None:
        return read(keys) if keys else {}
    out = {k: current.values[k] for k in keys if k in current.values}
    missing = [k for k in keys if k not in out]
    if missing:
        writes = current.writes
        found = read(missing)
        out.update(found)
        if current.writes == writes:
            current.values.update(found)
    return {k: out[k] for k in keys}


def forget(key: Hashable) -> None:
    current = _scope.get()
    if current is not None:
        current.values.pop(key, None)
