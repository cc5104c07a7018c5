"""Exact numbers from what people and devices send, read one way in every area: a quantity, a price,
a temperature, a score or a rule figure is a Decimal, never a float on the way; blank is blank
(the caller says whether it may be); "nan", "inf", "1e400" and text are refused with a message in the
user's language; the places, the bounds and "more than zero" are checked the same way everywhere."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class NumberProblem(ValueError):
    """What is wrong with a number, in the user's language (`message`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_decimal(value, *, places: int | None = None, minimum=None, maximum=None, positive: bool = False,
                 whole: bool = False, exact_only: bool = False, positive_message: str = "") -> Decimal | None:
    """The number `value` stands for, or None when it is blank. Thousands separators are allowed;
    a float is read by its shortest repr (exact_only: refused, for figures that must come as text).
    Raises NumberProblem: not a number; not whole; not more than zero (positive); below minimum;
    above maximum (by size, so a signed figure is bounded both ways when minimum is None); more
    places than `places`. With places, the result has exactly that many."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise NumberProblem(_("Enter a number."))
    if isinstance(value, float):
        if exact_only:
            raise NumberProblem(_("Enter an exact number."))
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise NumberProblem(_("Enter a number.")) from None
    if not number.is_finite():
        raise NumberProblem(_("Enter a number."))
    if whole and number != number.to_integral_value():
        raise NumberProblem(_("Enter a whole number."))
    if positive and number <= 0:
        raise NumberProblem(positive_message or _("Enter a number greater than zero."))
    if minimum is not None and number < minimum:
        raise NumberProblem(_("Enter zero or more.") if minimum == 0
                            else _("Enter a number of at least %(n)s.") % {"n": minimum})
    if maximum is not None and abs(number) > maximum:
        raise NumberProblem(_("Enter a number of at most %(n)s.") % {"n": maximum})
    if places is not None:
        step = Decimal(1).scaleb(-places)
        try:
            exact = number == number.quantize(step)
        except InvalidOperation:  # more digits than a Decimal holds at these places
            raise NumberProblem(_("This number is too large.")) from None
        if not exact:
            raise NumberProblem(_("Use at most %(n)d decimal places.") % {"n": places})
        number = number.quantize(step)
    return number


def decimal_into(errors: list, field: str, value, *, required: bool = True, required_message: str = "",
                 **rules) -> Decimal | None:
    """read_decimal for a service that gathers its refusals ({"field", "message"} into `errors`) and
    raises them together: the number, or None with its refusal added (a blank one only if required)."""
    try:
        number = read_decimal(value, **rules)
    except NumberProblem as problem:
        errors.append({"field": field, "message": problem.message})
        return None
    if number is None and required:
        errors.append({"field": field, "message": required_message or _("Enter a number.")})
    return number


def price_as_written(value: Decimal | None) -> Decimal | None:
    """A price as staff write it in a form: yuan and fen (two places) and no trailing zeros beyond,
    the stored precision kept where it is used: 18.0000 → 18.00, 4.6250 → 4.625, 10 → 10.00."""
    if value is None:
        return None
    value = Decimal(value)
    trimmed = value.normalize()
    return trimmed if -trimmed.as_tuple().exponent > 2 else value.quantize(Decimal("0.01"))
