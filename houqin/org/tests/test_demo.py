import datetime as dt
import random
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from houqin.org import demo
from houqin.org.models import (
    GRADE_AGE,
    Campus,
    Child,
    District,
    Grade,
    Guardian,
    Kindergarten,
    Membership,
    PickupPerson,
    Role,
    SchoolClass,
    Sex,
)
from houqin.org.validators import validate_id_number

User = get_user_model()
ROLE_OF = {base: role for role, base, _ in demo.LOGIN_ROLES}
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@pytest.fixture
def built(db, demo_built):
    return demo_built


def test_the_demo_district_has_two_kindergartens_of_the_right_size(built):
    assert built["created"] is True
    district = District.objects.get(slug="chengnan")
    assert district.name == "城南区教育局"
    kg1 = Kindergarten.objects.get(slug="demo")
    kg2 = Kindergarten.objects.get(slug="demo2")
    assert kg1.district == kg2.district == district
    assert Campus.objects.filter(kindergarten=kg1).count() == 2
    assert SchoolClass.objects.filter(kindergarten=kg1, school_year=2026).count() == 22
    assert set(SchoolClass.objects.filter(kindergarten=kg1).values_list("grade", flat=True)) == set(Grade.values)
    assert 550 <= Child.objects.filter(kindergarten=kg1).count() <= 650
    assert Campus.objects.filter(kindergarten=kg2).count() == 1
    assert SchoolClass.objects.filter(kindergarten=kg2).count() == 4
    assert 80 <= Child.objects.filter(kindergarten=kg2).count() <= 120
    for school_class in SchoolClass.objects.all():
        assert re.fullmatch(r"[托小中大][一二三四五六七]班", school_class.name)
        assert school_class.children.count() <= school_class.capacity
    assert built["counts"]["children"] == Child.objects.count()


@pytest.mark.parametrize("suffix, slug", [("", "demo"), ("2", "demo2")])
def test_every_role_has_its_login(built, suffix, slug):
    kg = Kindergarten.objects.get(slug=slug)
    for base, role in ROLE_OF.items():
        user = User.objects.get(username=base + suffix)
        assert CHINESE_NAME.match(user.full_name), user.full_name
        assert list(user.memberships.values_list("role", "kindergarten")) == [(role, kg.pk)]
    own_class = SchoolClass.objects.get(kindergarten=kg, name="中一班", campus__name="本部")
    for base in ("teacher", "nursery"):
        membership = Membership.objects.get(user__username=base + suffix)
        assert list(membership.classes.all()) == [own_class]
    parent = User.objects.get(username="parent" + suffix)
    guardianship = Guardian.objects.get(user=parent)
    assert guardianship.child.school_class == own_class
    assert guardianship.is_primary and guardianship.name == parent.full_name


def test_the_district_login_supervises_the_district(built):
    membership = Membership.objects.get(user__username="district")
    assert membership.role == Role.SUPERVISOR
    assert membership.kindergarten is None
    assert membership.district.slug == "chengnan"
    assert not User.objects.filter(username="district2").exists()
    assert [row["username"] for row in built["logins"]] == demo.demo_usernames()


def test_other_staff_fill_every_class_without_demo_passwords(built):
    for school_class in SchoolClass.objects.all():
        roles = set(Membership.objects.filter(classes=school_class).values_list("role", flat=True))
        assert roles == {Role.CLASS_TEACHER, Role.NURSERY}, school_class
    kg1 = Kindergarten.objects.get(slug="demo")
    assert Membership.objects.filter(kindergarten=kg1, role=Role.CANTEEN).count() >= 4
    assert Membership.objects.filter(kindergarten=kg1, role=Role.GUARD).count() >= 3
    logins = set(demo.demo_usernames())
    others = User.objects.exclude(username__in=logins)
    assert others.count() > 40
    assert not any(u.has_usable_password() for u in others)
    assert all(CHINESE_NAME.match(u.full_name) for u in others)


def test_children_are_plausible(built):
    children = list(Child.objects.select_related("school_class"))
    with_id = 0
    for child in children:
        assert demo.age_on(child.birth_date, demo.TERM_START) == GRADE_AGE[child.school_class.grade], child
        assert child.birth_date + dt.timedelta(days=2 * 365) <= child.enrolled_on <= dt.date(2026, 10, 31)
        assert CHINESE_NAME.match(child.name)
        if child.id_number:
            with_id += 1
            validate_id_number(child.id_number)
            assert child.id_number[6:14] == child.birth_date.strftime("%Y%m%d")
            assert int(child.id_number[16]) % 2 == (1 if child.sex == Sex.MALE else 0)
            assert child.id_number.startswith("3201")
    assert 0.3 <= with_id / len(children) <= 0.5
    boys = sum(c.sex == Sex.MALE for c in children)
    assert 0.45 <= boys / len(children) <= 0.55
    assert len({c.id_number for c in children if c.id_number}) == with_id


def test_guardians_and_pickup_people_are_plausible(built):
    counts = {}
    for guardian in Guardian.objects.all():
        counts.setdefault(guardian.child_id, []).append(guardian)
    assert set(counts) == set(Child.objects.values_list("pk", flat=True))
    for guardians in counts.values():
        assert 1 <= len(guardians) <= 2
        assert sum(g.is_primary for g in guardians) == 1
    phones = list(Guardian.objects.values_list("phone", flat=True))
    phones += list(PickupPerson.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones))
    assert all(re.fullmatch(r"1[358]\d{9}", p) for p in phones)
    pickups = PickupPerson.objects.count()
    assert 0.05 * len(counts) <= pickups <= 0.2 * len(counts)


def test_history_rows_exist(built):
    assert Child.history.filter(history_type="+").count() == Child.objects.count()
    assert Guardian.history.count() == Guardian.objects.count()
    assert PickupPerson.history.count() == PickupPerson.objects.count()
    assert SchoolClass.history.count() == SchoolClass.objects.count()
    # One row when created, one more when classes are set.
    assert set(Membership.history.values_list("id", flat=True)) == set(Membership.objects.values_list("id", flat=True))


def test_a_second_build_changes_nothing(built):
    before = [m.objects.count() for m in (User, Child, Guardian, Membership, SchoolClass)]
    history = Child.history.count()
    again = demo.build_demo()
    assert again["created"] is False
    assert again["counts"] == {}
    assert [m.objects.count() for m in (User, Child, Guardian, Membership, SchoolClass)] == before
    assert Child.history.count() == history
    assert again["logins"] == built["logins"]


def test_demo_logins_log_in_with_the_demo_password(built):
    from django.test import Client

    for username in ["principal", "teacher", "parent", "district", "guard2", "parent2"]:
        client = Client()
        response = client.post("/login/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


def test_the_demo_password_passes_django_validators(built):
    for username in demo.demo_usernames():
        validate_password(demo.DEMO_PASSWORD, User.objects.get(username=username))


def test_the_plan_is_deterministic():
    first, second = demo.plan_demo(2026), demo.plan_demo(2026)
    assert first == second
    assert demo.plan_demo(2027) != first
    names = [demo.person_name(random.Random(7), Sex.FEMALE) for _ in range(2)]
    assert names[0] == names[1]
    births = [demo.birth_date_for(random.Random(7), Grade.SMALL) for _ in range(2)]
    assert births[0] == births[1]
    ids = [demo.id_number_for(random.Random(7), births[0], Sex.MALE) for _ in range(2)]
    assert ids[0] == ids[1]
    random.seed(1)  # the global random state plays no part
    assert demo.plan_demo(2026) == first


def test_the_plan_does_not_depend_on_the_clock(monkeypatch):
    """The plan reads its day from DemoDates, never the clock."""
    dates = demo.DemoDates(dt.date(2026, 11, 25))
    expected = demo.plan_demo(2026, dates)

    class NoToday(dt.date):
        @classmethod
        def today(cls):
            raise AssertionError("the demo must not read today's date")

    def no_now():
        raise AssertionError("the demo must not read the clock")

    monkeypatch.setattr(demo, "dt", SimpleNamespace(date=NoToday, timedelta=dt.timedelta, datetime=None))
    monkeypatch.setattr("django.utils.timezone.now", no_now)
    assert demo.plan_demo(2026, demo.DemoDates(dt.date(2026, 11, 25))) == expected
    # Dates come from the fixed term: school year 2026, whatever the year is now.
    for kg in expected.kindergartens:
        for campus in kg.campuses:
            for school_class in campus.classes:
                for child in school_class.children:
                    assert dt.date(2020, 9, 2) <= child.birth_date <= dt.date(2024, 8, 31)
                    assert dt.date(2023, 9, 1) <= child.enrolled_on <= dt.date(2026, 10, 30)
    assert demo.birth_date_for(random.Random(0), Grade.TODDLER).year in (2023, 2024)
    assert demo.birth_date_for(random.Random(0), Grade.LARGE).year in (2020, 2021)


def test_extension_steps_run_after_the_organisation(db, monkeypatch):
    seen = []

    def step(ctx):
        seen.append((
            ctx.seed, ctx.rng.random(), len(ctx.classes_of("demo")), ctx.children_of("demo2").count(),
            ctx.users["teacher"].username, ctx.term_start,
        ))
        ctx.counts["test rows"] = 3

    # the areas' steps register when their demo modules are first imported: import them now, so that
    # they register in the real list, not in this test's (else every later build in this process
    # would run without them)
    demo._discover_steps()
    monkeypatch.setattr(demo, "DEMO_STEPS", [step])
    result = demo.build_demo(seed=5)
    assert result["counts"]["test rows"] == 3
    seed, number, classes, children, teacher, term_start = seen[0]
    assert (seed, classes, teacher, term_start) == (5, 22, "teacher", dt.date(2026, 9, 1))
    assert 80 <= children <= 120
    assert number == random.Random(f"5:{step.__module__}.{step.__qualname__}").random()


def test_the_command_prints_the_logins_once_built(built):
    text = built["output"]  # the shared demo is built through the command
    assert "演示账号 Demo logins" in text
    assert demo.DEMO_PASSWORD in text and demo.DEMO_URL in text
    assert "principal2" in text and "城南区实验幼儿园" in text and "教育局督导" in text
    assert not User.objects.filter(is_superuser=True).exists()

    out = StringIO()
    call_command("seed_demo", "--superuser", "root", stdout=out)
    assert "already loaded" in out.getvalue()
    root = User.objects.get(username="root")
    assert root.is_superuser and root.check_password(demo.DEMO_PASSWORD)
    assert Kindergarten.objects.filter(slug__startswith="demo").count() == 2


def test_demo_steps_run_in_app_order_whatever_the_import_order(monkeypatch):
    """The canteen's step reads health's attendance: steps follow INSTALLED_APPS, not import order."""
    from houqin.canteen.demo import build_canteen
    from houqin.health import demo as health_demo

    health_steps = [s for s in demo.DEMO_STEPS if s.__module__ == health_demo.__name__]
    monkeypatch.setattr(demo, "DEMO_STEPS", [build_canteen, *health_steps])
    assert demo.ordered_steps() == [*health_steps, build_canteen]
