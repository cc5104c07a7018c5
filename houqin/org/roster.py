"""Roster import and export (.xlsx), the way kindergartens keep them today.

An import is all or nothing: any bad row rejects the whole file with a list of row/column/reason.
"""

from houqin.core.errors import DomainError


class ImportRejected(DomainError):
    def __init__(self, message, errors):
        super().__init__(message, code="import_rejected", errors=errors)


def import_roster(*, actor, kind: str, upload):
    raise NotImplementedError


def export_children(*, actor) -> bytes:
    raise NotImplementedError


def export_staff(*, actor) -> bytes:
    raise NotImplementedError
