"""The session store: Django's database sessions, except that a session that cannot be written
because another writer holds the database (core.errors.is_lock_error) does not fail the request.
What waits is the "last seen" touch of core.middleware (written at most once a minute) or a flash
message: the page the user asked for — or the busy page that says nothing was saved — is answered
instead of a 400 "session interrupted". A new session (signing in) still fails loudly."""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from houqin.core.errors import is_lock_error


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            if not is_lock_error(exc.__context__):
                raise
            logging.getLogger("houqin.busy").warning("session not written, database locked: %r", exc.__context__)
