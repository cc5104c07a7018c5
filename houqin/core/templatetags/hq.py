"""Formatting the way Chinese staff expect: 2026年11月21日, ¥1,234.50, masked identifiers."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from houqin.core.citations import cite
from houqin.org.validators import mask_id_number, mask_phone

register = template.Library()


@register.filter
def cn_date(value):
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        if (get_language() or "").startswith("zh"):
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
        return f"{value:%Y-%m-%d %H:%M}"
    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value:%Y-%m-%d}"


@register.filter
def yuan(value):
    """Money in yuan with two decimals, thousands separated: ¥1,234.50 (exact Decimal, no float)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def age(birth_date, on=None):
    """Age as Chinese staff say it: 4岁3个月."""
    if not birth_date:
        return ""
    on = on or timezone.localdate()
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month - (1 if on.day < birth_date.day else 0)
    years, months = divmod(max(months, 0), 12)
    if (get_language() or "").startswith("zh"):
        return f"{years}岁{months}个月"
    return f"{years} y {months} m"


@register.filter
def tick(value):
    """A yes/no check as an icon of the icon font (a ✓ glyph is an empty box on many office PCs)."""
    if value:
        return format_html('<i class="bi bi-check-lg text-success" role="img" aria-label="{}"></i>', gettext("yes"))
    return format_html('<i class="bi bi-x-lg text-danger" role="img" aria-label="{}"></i>', gettext("no"))


@register.filter
def grams(value):
    """A food quantity in grams as a kitchen writes it: whole grams from 10 g up, one decimal below
    (食盐 0.5 g, not 0), nothing after the point when it is zero (3 g, not 3.0)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    places = Decimal("1") if abs(amount) >= 10 else Decimal("0.1")
    amount = amount.quantize(places, rounding=ROUND_HALF_UP)
    if amount == 0 and value:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount.normalize():f}"
    return text


# Units rule data writes in English words, as a Chinese page says them.
UNIT_WORDS = {"days": "天", "day": "天", "weeks": "周", "months": "个月", "years": "年", "h": "小时", "hours": "小时",
              "minutes": "分钟", "min": "分钟", "times": "次"}


@register.filter
def unit(value):
    """A rule's unit as the page's language says it ("days" → 天 on a Chinese page)."""
    text = str(value or "")
    return UNIT_WORDS.get(text, text) if (get_language() or "").startswith("zh") else text


register.filter("cite", cite)  # a rule's source by its Chinese title (core.citations)
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


# The words rule data uses for how sure a figure is (each area's data file grew its own), by kind.
FIGURE_STATUS_KINDS = {"unconfirmed": "unconfirmed", "confirmed": "confirmed", "confirmed_from_retrieved_text": "confirmed",
                       "secondary": "secondary", "secondary_source_only": "secondary", "kindergarten": "own",
                       "kindergarten_rule": "own", "houqin_default": "default", "house": "default"}


@register.inclusion_tag("core/_figure_status.html")
def figure_status(status, source=""):
    """The badge of a rule figure's status (待核实 stands out), for every area: its source as the tip."""
    text = str(status or "")
    kind = "unconfirmed" if text.upper().startswith("UNCONFIRMED") else FIGURE_STATUS_KINDS.get(text, "default")
    return {"kind": kind, "source": source}
