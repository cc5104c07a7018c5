"""The organisation's use cases, called as plain functions (no request)."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from houqin import policy
from houqin.core.errors import DomainError, Forbidden
from houqin.core.models import ProtectedRecordError
from houqin.org import services
from houqin.org.models import Child, Guardian, Role
from houqin.org.validators import id_number_checksum_ok, mask_id_number, normalize_phone

pytestmark = pytest.mark.django_db


def actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def test_principal_enrols_a_child(world):
    child = services.child_create(
        actor=actor(world, Role.PRINCIPAL), name=" 李小满 ", sex="F", birth_date=dt.date(2022, 3, 5),
        school_class=world.k1.own_class, enrolled_on=dt.date(2026, 9, 1), id_number="11010520220305100x",
    )
    assert child.name == "李小满"
    assert child.kindergarten == world.k1.kg
    assert child.id_number.endswith("X")
    assert child.history.count() == 1


@pytest.mark.parametrize(
    "birth, enrolled, field",
    [
        (dt.date(2030, 1, 1), dt.date(2026, 9, 1), "birth_date"),  # born in the future
        (dt.date(2022, 3, 5), dt.date(2021, 9, 1), "enrolled_on"),  # enrolled before birth
        (dt.date(2016, 3, 5), dt.date(2026, 9, 1), "birth_date"),  # over seven
    ],
)
def test_impossible_dates_are_refused_and_nothing_is_saved(world, birth, enrolled, field):
    before = Child.objects.count()
    with pytest.raises(DomainError) as exc:
        services.child_create(actor=actor(world, Role.PRINCIPAL), name="错日期", sex="M", birth_date=birth,
                              school_class=world.k1.own_class, enrolled_on=enrolled)
    assert exc.value.errors[0]["field"] == field
    assert Child.objects.count() == before


def test_bad_id_number_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.child_create(actor=actor(world, Role.PRINCIPAL), name="张三", sex="M", birth_date=dt.date(2022, 3, 5),
                              school_class=world.k1.own_class, id_number="110105202203050021")
    assert exc.value.errors[0]["field"] == "id_number"


def test_class_of_another_kindergarten_is_not_found(world):
    with pytest.raises(Http404):
        services.child_create(actor=actor(world, Role.PRINCIPAL), name="张三", sex="M", birth_date=dt.date(2022, 3, 5),
                              school_class=world.k2.own_class)


def test_class_teacher_cannot_enrol_but_can_edit_own_class(world):
    teacher = actor(world, Role.CLASS_TEACHER)
    with pytest.raises(Forbidden):
        services.child_create(actor=teacher, name="张三", sex="M", birth_date=dt.date(2022, 3, 5),
                              school_class=world.k1.own_class)
    services.child_update(actor=teacher, child=world.k1.own_child, notes="对芒果过敏")
    with pytest.raises(Forbidden):
        services.child_update(actor=teacher, child=world.k1.other_child, notes="x")
    with pytest.raises(Http404):  # cannot move a child into a class that is not theirs
        services.child_update(actor=teacher, child=world.k1.own_child, school_class=world.k1.other_class)
    world.k1.own_child.refresh_from_db()
    assert world.k1.own_child.school_class == world.k1.own_class


def test_update_refuses_fields_that_are_not_editable(world):
    with pytest.raises(DomainError):
        services.child_update(actor=actor(world, Role.PRINCIPAL), child=world.k1.own_child, kindergarten=world.k2.kg)


def test_leaving_records_the_date_once(world):
    principal = actor(world, Role.PRINCIPAL)
    child = services.child_leave(actor=principal, child=world.k1.own_child, left_on=timezone.localdate(), reason="搬家")
    assert child.left_on == timezone.localdate()
    with pytest.raises(DomainError):
        services.child_leave(actor=principal, child=child, left_on=timezone.localdate())


def test_children_are_voided_with_a_reason_never_deleted(world):
    principal = actor(world, Role.PRINCIPAL)
    child = world.k1.own_child
    with pytest.raises(DomainError):
        services.child_void(actor=principal, child=child, reason="  ")
    services.child_void(actor=principal, child=child, reason="重复录入")
    child.refresh_from_db()
    assert child.is_voided and child.void_reason == "重复录入" and child.voided_by == principal.user
    with pytest.raises(ProtectedRecordError):
        child.delete()
    with pytest.raises(ProtectedRecordError):
        Child.objects.filter(pk=child.pk).delete()
    assert Child.objects.filter(pk=child.pk).exists()
    assert child not in Child.objects.active()


def test_only_the_principal_voids(world):
    with pytest.raises(Forbidden):
        services.child_void(actor=actor(world, Role.DIRECTOR), child=world.k1.own_child, reason="x")


def test_guardian_phone_is_normalised_and_checked(world):
    principal = actor(world, Role.PRINCIPAL)
    g = services.guardian_add(actor=principal, child=world.k1.own_child, name="李爸爸", relation="father",
                              phone="+86 139 1234 5678")
    assert g.phone == "13912345678"
    before = Guardian.objects.count()
    with pytest.raises(DomainError) as exc:
        services.guardian_add(actor=principal, child=world.k1.own_child, name="李妈妈", relation="mother", phone="12345")
    assert exc.value.errors[0]["field"] == "phone"
    assert Guardian.objects.count() == before


def test_pickup_person_validity_must_be_in_order(world):
    with pytest.raises(DomainError):
        services.pickup_person_add(actor=actor(world, Role.PRINCIPAL), child=world.k1.own_child, name="刘阿姨",
                                   relation="保姆", phone="13800001111", valid_from=dt.date(2026, 11, 1),
                                   valid_until=dt.date(2026, 10, 1))


def test_staff_add_creates_login_and_membership(world):
    principal = actor(world, Role.PRINCIPAL)
    m = services.staff_add(actor=principal, username="newcook", full_name="赵师傅", phone="13700001111",
                           role=Role.CANTEEN, password="Kitchen-2026!")
    assert m.kindergarten == world.k1.kg and m.user.check_password("Kitchen-2026!")
    with pytest.raises(DomainError):  # weak password: Django's validators
        services.staff_add(actor=principal, username="weak", full_name="弱", phone="13700001112",
                           role=Role.GUARD, password="12345678")
    with pytest.raises(DomainError):  # not a staff role
        services.staff_add(actor=principal, username="p", full_name="家长", phone="13700001113",
                           role=Role.PARENT, password="Kitchen-2026!")
    with pytest.raises(Forbidden):
        services.staff_add(actor=actor(world, Role.DIRECTOR), username="x", full_name="x", phone="13700001114",
                           role=Role.GUARD, password="Kitchen-2026!")


def test_staff_are_added_only_inside_the_kindergarten(world, login):
    """Issue 12, leak 4: a principal attached k2's accountant to k1 by user name and then read the
    person's full name in k1's staff list."""
    from houqin.org.models import Membership

    principal = actor(world, Role.PRINCIPAL)
    stranger = world.k2.users[Role.ACCOUNTANT]
    before = Membership.objects.count()
    with pytest.raises(DomainError) as exc:
        services.staff_add(actor=principal, username=stranger.username, full_name="", phone="",
                           role=Role.ACCOUNTANT, password="")
    assert exc.value.errors[0]["field"] == "username"
    assert Membership.objects.count() == before
    client = login(world.k1.users[Role.PRINCIPAL])
    response = client.post("/api/k/k1/staff", {"username": stranger.username, "full_name": "x", "phone": "13700001111",
                                                "role": "accountant", "password": "Kitchen-2026!"},
                           content_type="application/json")
    assert response.status_code == 422
    assert Membership.objects.count() == before
    assert stranger.username not in client.get("/api/k/k1/staff").content.decode()
    # A supervisor's login, or a login with no membership at all, is not attached either.
    for username in (world.supervisor.username,):
        with pytest.raises(DomainError):
            services.staff_add(actor=principal, username=username, full_name="", phone="", role=Role.GUARD, password="")
    # Someone who already belongs here (the parent of k1) may be given a staff role by name.
    parent = world.k1.users[Role.PARENT]
    m = services.staff_add(actor=principal, username=parent.username, full_name="", phone="", role=Role.NURSERY,
                           password="")
    assert m.user == parent and m.kindergarten == world.k1.kg


def test_a_roster_import_does_not_attach_another_kindergartens_login_even_with_its_name(world):
    from houqin.org.tests.test_roster import STAFF_HEADER, rejected, xlsx

    principal = actor(world, Role.PRINCIPAL)
    stranger = world.k2.users[Role.ACCOUNTANT]  # full name == user name in the test world
    exc = rejected(principal, xlsx([[stranger.username, stranger.full_name, "", "会计", "", ""]],
                                   header=STAFF_HEADER), kind="staff")
    assert [(e["row"], e["code"]) for e in exc.errors] == [(2, "login_taken")]


def test_validators():
    assert id_number_checksum_ok("11010519491231002X")
    assert not id_number_checksum_ok("110105194912310021")
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert normalize_phone("１３９ １２３４ ５６７８") == "13912345678"


def test_home_lists_classes_with_children_nobody_may_collect(world, login):
    from houqin.core.registry import todos_for

    principal = actor(world, Role.PRINCIPAL)
    titles = [t.title for t in todos_for(principal)]
    # in the world every class but the parent's children's classes has children without guardians
    assert any(world.k1.classes[2].name in t for t in titles)
    for child in world.k1.classes[2].children.all():
        services.guardian_add(actor=principal, child=child, name="外婆", relation="m_grandmother", phone="13600001111")
    titles = [t.title for t in todos_for(principal)]
    assert not any(world.k1.classes[2].name in t for t in titles)
    page = login(world.k1.users[Role.PRINCIPAL]).get("/k/k1/").content.decode()
    assert world.k1.classes[0].name in page  # own class: child 2 has no guardian


def test_classes_sort_by_grade_then_number_and_children_by_pinyin(world):
    from houqin.core.text import chinese_number, pinyin_initials
    from houqin.org.selectors import child_list, class_list
    from houqin.testing import ChildFactory, SchoolClassFactory

    assert [chinese_number(n) for n in ["小三班", "大十二班", "中2班", "托班", "小十班"]] == [3, 12, 2, 0, 10]
    assert pinyin_initials("王小明") == "wxm"
    campus = world.k1.campuses[0]
    names = ["大二班", "托一班", "小十班", "小二班"]
    for name, grade in zip(names, ["large", "toddler", "small", "small"], strict=True):
        SchoolClassFactory(campus=campus, name=name, grade=grade)
    principal = actor(world, Role.PRINCIPAL)
    ordered = [c.name for c in class_list(actor=principal) if c.campus_id == campus.pk and c.name in names]
    assert ordered == ["托一班", "小二班", "小十班", "大二班"]
    c = SchoolClassFactory(campus=campus, name="小五班")
    for name in ["赵六", "阿宝", "王五"]:
        ChildFactory(school_class=c, name=name)
    assert [ch.name for ch in child_list(actor=principal, school_class=c)] == ["阿宝", "王五", "赵六"]
