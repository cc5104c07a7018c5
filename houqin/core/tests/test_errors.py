"""The one way a service reports bad input (core.errors.field_error / raise_for)."""

import pytest
from django.utils import translation

from houqin.core.errors import Conflict, DomainError, field_error, raise_for


def test_one_field_error_speaks_for_itself():
    error = field_error("date", "日期不能晚于今天。")
    assert (error.message, error.code, error.errors) == ("日期不能晚于今天。", "invalid", [{"field": "date", "message": "日期不能晚于今天。"}])
    assert isinstance(field_error("x", "y", cls=Conflict), Conflict)


def test_no_errors_raise_nothing_and_several_ask_to_correct_each():
    raise_for([])
    raise_for({})
    with pytest.raises(DomainError) as one:
        raise_for({"name": "请填写姓名。"})
    assert one.value.message == "请填写姓名。"
    with translation.override("zh-hans"), pytest.raises(DomainError) as several:
        raise_for([{"field": "name", "message": "请填写姓名。"}, {"field": "phone", "message": "手机号码不正确。"}])
    assert several.value.message == "请更正以下错误。"
    assert [e["field"] for e in several.value.errors] == ["name", "phone"]
    with pytest.raises(Conflict) as typed:
        raise_for([{"field": "x", "message": "m"}], cls=Conflict, code="taken")
    assert typed.value.code == "taken"
