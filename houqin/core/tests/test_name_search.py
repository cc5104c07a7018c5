"""The one name search (core.text.name_search): characters, full pinyin without spaces, initials."""

import pytest

from houqin.core.text import name_search
from houqin.org.models import Child
from houqin.testing import ChildFactory


@pytest.mark.parametrize("q", ["杨月", "yangyue", "yang yue", "YangYue", "yy", "yangy"])
def test_a_child_is_found_by_characters_full_pinyin_and_initials(world, q):
    wanted = ChildFactory(school_class=world.k1.classes[0], name="杨月")
    ChildFactory(school_class=world.k1.classes[0], name="王小明")
    found = list(Child.objects.filter(name_search(q)).values_list("pk", flat=True))
    assert found == [wanted.pk]


@pytest.mark.parametrize("q", ["yx", "yueyang", "wy", "月杨"])
def test_other_spellings_do_not_match(world, q):
    ChildFactory(school_class=world.k1.classes[0], name="杨月")
    assert not Child.objects.filter(name="杨月").filter(name_search(q)).exists()


def test_the_guard_finds_a_child_by_initials_on_the_pickup_page(world, login):
    from houqin.org.models import Role

    ChildFactory(school_class=world.k1.own_child.school_class, name="杨月")
    guard = login(world.k1.users[Role.GUARD])
    page = guard.get("/k/k1/safety/pickup/?q=yy").content.decode()
    assert "杨月" in page
    assert world.k1.own_child.name not in page

