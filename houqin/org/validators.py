"""Checks for Chinese identifiers as kindergartens record them."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_phone(value: str) -> str:
    """Strip spaces, dashes inside mobiles and a +86 / 0086 prefix; turn full-width digits half-width."""
    value = (value or "").translate(str.maketrans("０１２３４５６７８９＋－", "0123456789+-")).strip()
    value = re.sub(r"[\s()（）]", "", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    if re.fullmatch(r"1\d{2}-?\d{4}-?\d{4}", value):
        value = value.replace("-", "")
    return value


def validate_phone(value: str) -> None:
    if not (_MOBILE.match(value) or _LANDLINE.match(value)):
        raise ValidationError(_("Enter a mobile number of 11 digits or a landline with its area code."), code="phone")


def id_number_checksum_ok(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def validate_id_number(value: str) -> None:
    """A resident identity card number (GB 11643): 18 characters with a valid check digit."""
    if not id_number_checksum_ok(value.upper()):
        raise ValidationError(_("Not a valid identity card number (18 characters, check digit wrong)."), code="id_number")


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:] if len(value) > 4 else "*" * len(value)
