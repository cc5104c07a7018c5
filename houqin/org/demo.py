"""The demo district: two kindergartens full of plausible people, built by `manage.py seed_demo`.

What it builds
--------------
- District 城南区教育局 (`chengnan`) with a supervisor login `district`.
- 城南区实验幼儿园 (`demo`): campuses 本部 and 东园区, 22 classes of school year 2026 (托/小/中/大),
  about 600 children with guardians, some authorised pick-up people, staff in every role.
- 城南区阳光幼儿园 (`demo2`): one campus, 4 classes, about 100 children.
- One login per role in each kindergarten: `principal`, `director`, `health`, `canteen`,
  `storekeeper`, `accountant`, `teacher`, `nursery`, `guard`, `parent` (suffix `2` in `demo2`).
  `teacher` and `nursery` own 中一班 of 本部; `parent` is the primary guardian of a child of 中一班.
  All demo logins share DEMO_PASSWORD. Other staff have unusable passwords.

It is deterministic: `plan_demo(seed)` draws every name, date and number from one
`random.Random(seed)` (never the global random state, never today's date: every date is relative
to the fixed term TERM_START), so the same seed always gives the same district. `build_demo` then
writes the plan in one transaction, and does nothing if the `demo` kindergarten already exists.

Extending the demo (other areas)
--------------------------------
Each area may add a term of its own records (menus, morning checks, assets…). Write
`houqin/<area>/demo.py` with one or more steps:

    from houqin.org.demo import demo_step

    @demo_step
    def build_morning_checks(ctx):
        for school_class in ctx.classes_of("demo"):
            ...  # draw from ctx.rng, date from ctx.term_start, write with bulk_create_with_history
        ctx.counts["morning checks"] = n

`build_demo` imports every installed app's `demo` module (like the admin's autodiscovery), then runs
DEMO_STEPS in order — INSTALLED_APPS order, then definition order within a module — inside the same
transaction, after the organisation is built. Each step gets `ctx.rng`, a fresh `random.Random`
seeded from the demo seed and the step's own name, so adding or changing one step never changes the
data of another. See DemoContext for what else the context holds (kindergartens, campuses, classes,
users by username, the term dates, counts). Steps must not read today's date either.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from houqin.org.models import GRADE_AGE, Grade, Relation, Role, Sex

DEMO_PASSWORD = "Houqin-2026"  # long, mixed case, not common, not numeric: passes Django's validators
DEFAULT_SEED = 2026
DEMO_URL = "http://127.0.0.1:8000/"
SCHOOL_YEAR = 2026
TERM_START = dt.date(2026, 9, 1)  # autumn term of school year 2026–2027
TERM_END = dt.date(2027, 1, 22)
DEMO_SLUG = "demo"
DISTRICT_NAME = "城南区教育局"
DISTRICT_SLUG = "chengnan"
SUPERVISOR_USERNAME = "district"
CHANGE_REASON = "演示数据 demo data"

# Region codes (GB/T 2260) of the city's districts (南京市), most children born in the south.
REGIONS = [("320104", 4), ("320114", 3), ("320115", 3), ("320102", 1), ("320105", 1), ("320106", 1)]

# The demo logins of each kindergarten: role, user name (before the suffix), post as shown.
LOGIN_ROLES: list[tuple[Role, str, str]] = [
    (Role.PRINCIPAL, "principal", "园长"),
    (Role.DIRECTOR, "director", "后勤主任"),
    (Role.HEALTH_TEACHER, "health", "保健老师"),
    (Role.CANTEEN, "canteen", "营养员"),
    (Role.STOREKEEPER, "storekeeper", "仓库保管员"),
    (Role.ACCOUNTANT, "accountant", "会计"),
    (Role.CLASS_TEACHER, "teacher", "班主任"),
    (Role.NURSERY, "nursery", "保育员"),
    (Role.GUARD, "guard", "保安"),
    (Role.PARENT, "parent", "家长"),
]
SUPERVISOR_POST = "学前教育科督导"
ROLE_TITLES = {role: title for role, _, title in LOGIN_ROLES} | {Role.SUPERVISOR: "教育局督导"}

GRADE_PREFIX = {Grade.TODDLER: "托", Grade.SMALL: "小", Grade.MIDDLE: "中", Grade.LARGE: "大"}
CLASS_SIZE = {Grade.TODDLER: (18, 20), Grade.SMALL: (25, 29), Grade.MIDDLE: (26, 30), Grade.LARGE: (28, 32)}
CAPACITY = {Grade.TODDLER: 20, Grade.SMALL: 30, Grade.MIDDLE: 30, Grade.LARGE: 35}
NUMERALS = "一二三四五六七八九十"

# --- names ---------------------------------------------------------------------------------------

# The commonest surnames with their approximate share (per cent) of the population.
SURNAMES = [
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.1),
    ("何", 1.0), ("高", 0.9), ("林", 0.9), ("罗", 0.9), ("郑", 0.8), ("梁", 0.8), ("谢", 0.6), ("宋", 0.6),
    ("唐", 0.6), ("许", 0.5), ("韩", 0.5), ("冯", 0.5), ("邓", 0.5), ("曹", 0.5), ("彭", 0.4), ("曾", 0.4),
    ("肖", 0.4), ("田", 0.4), ("董", 0.4), ("袁", 0.4), ("潘", 0.3), ("于", 0.3), ("蒋", 0.3), ("蔡", 0.3),
    ("余", 0.3), ("杜", 0.3), ("叶", 0.3), ("程", 0.3), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.3), ("沈", 0.3), ("欧阳", 0.05),
]
_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

# Characters of given names, by generation and sex (children born 2020–2024, parents around 1990,
# grandparents around 1960).
GIVEN_CHARS = {
    ("child", Sex.MALE): "宇轩浩泽睿辰然子梓一沐承奕铭皓博俊宸锦煜航霖晨瑞安言嘉天明阳逸凯杰景思远哲恒朗川",
    ("child", Sex.FEMALE): "梓欣涵诗语若可雨琪悦萱怡芯彤沐一依晴妍菲瑶婉清安然宁乐思雅颖佳璇柠禾朵希书知念初月",
    ("adult", Sex.MALE): "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩建俊峰亮林海东志晓文",
    ("adult", Sex.FEMALE): "芳娜敏静丽艳娟霞燕玲婷雪琳慧颖洁倩晶佳璐萍红梅莉欣丹蕾瑶晓月",
    ("elder", Sex.MALE): "国建德福明华荣文富忠庆成林金永长春根生宝",
    ("elder", Sex.FEMALE): "秀英兰凤珍桂芬玉花琴梅芳淑云翠娥霞萍素华",
}
_TWO_CHAR_SHARE = {"child": 0.8, "adult": 0.5, "elder": 0.5}

MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + [f"15{d}" for d in "012356789"] + [f"18{d}" for d in range(10)]

PICKUP_RELATIONS = ["姑姑", "姨妈", "舅舅", "叔叔", "阿姨（保姆）", "表姐", "邻居"]
CHILD_NOTES = ["对花生过敏", "对鸡蛋过敏", "对牛奶蛋白过敏", "蚕豆病（G6PD缺乏），禁食蚕豆", "有哮喘史", "有高热惊厥史"]


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0]


def person_name(rng: random.Random, sex: str, generation: str = "child", family: str | None = None) -> str:
    """A Chinese full name: surname (weighted by frequency, or `family`) and a one- or two-character
    given name from the common characters of `generation` ("child", "adult" or "elder")."""
    family = family or surname(rng)
    chars = GIVEN_CHARS[(generation, Sex(sex))]
    if rng.random() < _TWO_CHAR_SHARE[generation] and not (len(family) == 2 and rng.random() < 0.5):
        first, second = rng.sample(chars, 2)
        return family + first + second
    return family + rng.choice(chars)


# --- dates and numbers ---------------------------------------------------------------------------


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_for(rng: random.Random, grade: str, school_year: int = SCHOOL_YEAR) -> dt.date:
    """A date of birth giving exactly GRADE_AGE[grade] whole years on 1 September of the school year
    (托 2, 小 3, 中 4, 大 5)."""
    age = GRADE_AGE[Grade(grade)]
    earliest = dt.date(school_year - age - 1, 9, 2)
    latest = dt.date(school_year - age, 8, 31)  # the cohort: born by 31 August
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def enrolment_date_for(rng: random.Random, grade: str, birth_date: dt.date, school_year: int = SCHOOL_YEAR) -> dt.date:
    """Most children started with their cohort on 1 September (托 and 小 this year, 中 last year,
    大 two years ago); some came up from a toddler class a year earlier; a few joined later."""
    years_in = {Grade.TODDLER: 0, Grade.SMALL: 0, Grade.MIDDLE: 1, Grade.LARGE: 2}[Grade(grade)]
    roll = rng.random()
    if grade != Grade.TODDLER and roll < 0.15:
        years_in += 1  # came up from 托班
    start = dt.date(school_year - years_in, 9, 1)
    if roll > 0.9:  # a transfer: joined later in the year
        latest = min(dt.date(school_year - years_in + 1, 6, 30), dt.date(school_year, 10, 30))
        start += dt.timedelta(days=rng.randrange((latest - start).days + 1))
    return max(start, birth_date + dt.timedelta(days=365 * 2))


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_for(rng: random.Random, birth_date: dt.date, sex: str) -> str:
    """A resident identity card number (GB 11643): region of the city, date of birth, a sequence
    number whose last digit is odd for boys and even for girls, and the check digit."""
    region = rng.choices([r for r, _ in REGIONS], weights=[w for _, w in REGIONS])[0]
    sequence = rng.randrange(50) * 10 + rng.randrange(1 if sex == Sex.MALE else 0, 10, 2)
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def mobile_number(rng: random.Random, used: set[str]) -> str:
    """A plausible 11-digit mobile (13x, 15x, 18x) not in `used` (which it then joins)."""
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


# --- the plan: what to build, drawn from the seed, without the database ----------------------------


@dataclass
class GuardianPlan:
    name: str
    relation: str
    phone: str
    is_primary: bool
    username: str = ""  # the demo parent login, for one guardian per kindergarten


@dataclass
class PickupPlan:
    name: str
    relation: str
    phone: str
    valid_from: dt.date
    valid_until: dt.date | None


@dataclass
class ChildPlan:
    name: str
    sex: str
    birth_date: dt.date
    enrolled_on: dt.date
    id_number: str
    notes: str
    guardians: list[GuardianPlan]
    pickups: list[PickupPlan]


@dataclass
class ClassPlan:
    name: str
    grade: str
    capacity: int
    children: list[ChildPlan] = field(default_factory=list)


@dataclass
class CampusPlan:
    name: str
    address: str
    classes: list[ClassPlan] = field(default_factory=list)


@dataclass
class StaffPlan:
    username: str
    full_name: str
    phone: str
    role: str
    post: str
    campus: str | None = None  # narrowed to this campus
    classes: tuple[str, ...] = ()  # class names (class teachers, nursery staff)
    login: bool = False  # a demo login with the demo password


@dataclass
class KindergartenPlan:
    slug: str
    name: str
    short_name: str
    address: str
    phone: str
    suffix: str
    campuses: list[CampusPlan]
    staff: list[StaffPlan] = field(default_factory=list)


@dataclass
class DemoPlan:
    seed: int
    district_name: str
    district_slug: str
    supervisor: StaffPlan
    kindergartens: list[KindergartenPlan]


@dataclass(frozen=True)
class _KindergartenSpec:
    slug: str
    name: str
    short_name: str
    address: str
    phone: str
    suffix: str
    # campus name, address, classes per grade (托, 小, 中, 大) as the numbers of their names
    campuses: tuple[tuple[str, str, dict[Grade, tuple[int, ...]]], ...]
    own_campus: str  # where the demo teacher, nursery and parent are: 中一班 of this campus
    extra_canteen: dict[str | None, int]  # canteen staff besides the login, per campus (None: whole)
    extra_guards: dict[str | None, int]


KINDERGARTENS = [
    _KindergartenSpec(
        slug=DEMO_SLUG,
        name="城南区实验幼儿园",
        short_name="实验幼儿园",
        address="城南区建康路 18 号",
        phone="025-52281806",
        suffix="",
        campuses=(
            ("本部", "城南区建康路 18 号",
             {Grade.TODDLER: (1,), Grade.SMALL: (1, 2, 3, 4), Grade.MIDDLE: (1, 2, 3, 4), Grade.LARGE: (1, 2, 3)}),
            ("东园区", "城南区龙蟠中路 206 号",
             {Grade.TODDLER: (2, 3), Grade.SMALL: (5, 6, 7), Grade.MIDDLE: (5, 6, 7), Grade.LARGE: (4, 5)}),
        ),
        own_campus="本部",
        extra_canteen={None: 3, "东园区": 2},
        extra_guards={None: 1, "东园区": 2},
    ),
    _KindergartenSpec(
        slug="demo2",
        name="城南区阳光幼儿园",
        short_name="阳光幼儿园",
        address="城南区应天大街 388 号",
        phone="025-52460233",
        suffix="2",
        campuses=(
            ("本部", "城南区应天大街 388 号",
             {Grade.TODDLER: (1,), Grade.SMALL: (1,), Grade.MIDDLE: (1,), Grade.LARGE: (1,)}),
        ),
        own_campus="本部",
        extra_canteen={None: 2},
        extra_guards={None: 1},
    ),
]


def _plan_child(rng: random.Random, grade: str, phones: set[str], ids: set[str]) -> ChildPlan:
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    family = surname(rng)
    name = person_name(rng, sex, "child", family)
    birth = birth_date_for(rng, grade)
    enrolled = enrolment_date_for(rng, grade, birth)
    id_number = ""
    if rng.random() < 0.4:
        while not id_number or id_number in ids:
            id_number = id_number_for(rng, birth, sex)
        ids.add(id_number)
    notes = rng.choice(CHILD_NOTES) if rng.random() < 0.04 else ""
    father = GuardianPlan(person_name(rng, Sex.MALE, "adult", family), Relation.FATHER, "", False)
    mother = GuardianPlan(person_name(rng, Sex.FEMALE, "adult"), Relation.MOTHER, "", False)
    grandparent = rng.choice([
        GuardianPlan(person_name(rng, Sex.FEMALE, "elder"), Relation.PATERNAL_GRANDMOTHER, "", False),
        GuardianPlan(person_name(rng, Sex.MALE, "elder", family), Relation.PATERNAL_GRANDFATHER, "", False),
        GuardianPlan(person_name(rng, Sex.FEMALE, "elder"), Relation.MATERNAL_GRANDMOTHER, "", False),
        GuardianPlan(person_name(rng, Sex.MALE, "elder"), Relation.MATERNAL_GRANDFATHER, "", False),
    ])
    roll = rng.random()
    if roll < 0.55:
        guardians = [mother, father]
    elif roll < 0.85:
        guardians = [father, mother]
    elif roll < 0.95:
        guardians = [mother, grandparent]
    else:
        guardians = [grandparent, mother]
    if rng.random() < 0.25:
        guardians = guardians[:1]  # one contact on file
    for guardian in guardians:
        guardian.phone = mobile_number(rng, phones)
    guardians[0].is_primary = True
    pickups = []
    if rng.random() < 0.12:
        relation = rng.choice(PICKUP_RELATIONS)
        sex_of = Sex.MALE if relation in ("舅舅", "叔叔") else Sex.FEMALE
        pickups.append(PickupPlan(
            name=person_name(rng, sex_of, "adult"),
            relation=relation,
            phone=mobile_number(rng, phones),
            valid_from=max(enrolled, TERM_START),
            valid_until=TERM_END if rng.random() < 0.5 else None,
        ))
    return ChildPlan(name, sex, birth, enrolled, id_number, notes, guardians, pickups)


def _staff(rng, phones, username, role, post, sex=Sex.FEMALE, **kwargs) -> StaffPlan:
    return StaffPlan(username, person_name(rng, sex, "adult"), mobile_number(rng, phones), role, post, **kwargs)


def _plan_kindergarten(
    rng: random.Random, spec: _KindergartenSpec, phones: set[str], ids: set[str]
) -> KindergartenPlan:
    plan = KindergartenPlan(spec.slug, spec.name, spec.short_name, spec.address, spec.phone, spec.suffix, [])
    for campus_name, address, grades in spec.campuses:
        campus = CampusPlan(campus_name, address)
        for grade, numbers in grades.items():
            for number in numbers:
                low, high = CLASS_SIZE[grade]
                school_class = ClassPlan(f"{GRADE_PREFIX[grade]}{NUMERALS[number - 1]}班", grade, CAPACITY[grade])
                school_class.children = [_plan_child(rng, grade, phones, ids) for _ in range(rng.randint(low, high))]
                campus.classes.append(school_class)
        plan.campuses.append(campus)

    # The demo logins; the teacher, nursery staff and parent belong to 中一班 of the own campus.
    own_class = next(
        c for campus in plan.campuses if campus.name == spec.own_campus for c in campus.classes if c.name == "中一班"
    )
    for role, base, post in LOGIN_ROLES:
        username = base + spec.suffix
        if role == Role.PARENT:
            guardian = own_class.children[0].guardians[0]
            guardian.username = username
            plan.staff.append(StaffPlan(username, guardian.name, guardian.phone, role, "", login=True))
            continue
        male = role == Role.GUARD or (role == Role.CANTEEN and rng.random() < 0.5)
        classes = (own_class.name,) if role in (Role.CLASS_TEACHER, Role.NURSERY) else ()
        plan.staff.append(_staff(rng, phones, username, role, post, Sex.MALE if male else Sex.FEMALE,
                                 classes=classes, login=True))

    # Everyone else: a class teacher and a nursery staff member per class, kitchen staff, guards,
    # and a health teacher for each further campus.
    counter: dict[str, int] = {}

    def username_for(kind: str) -> str:
        counter[kind] = counter.get(kind, 0) + 1
        return f"{spec.slug}-{kind}-{counter[kind]:02d}"

    for campus in plan.campuses:
        for school_class in campus.classes:
            if school_class is own_class:
                continue
            for role, kind, post in ((Role.CLASS_TEACHER, "teacher", "班主任"), (Role.NURSERY, "nursery", "保育员")):
                sex = Sex.MALE if rng.random() < 0.04 else Sex.FEMALE
                plan.staff.append(_staff(rng, phones, username_for(kind), role, post, sex,
                                         classes=(school_class.name,)))
    for campus_name, count in spec.extra_canteen.items():
        for i in range(count):
            post = "厨师长" if campus_name is None and i == 0 else "炊事员"
            sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
            plan.staff.append(_staff(rng, phones, username_for("canteen"), Role.CANTEEN, post, sex, campus=campus_name))
    for campus_name, count in spec.extra_guards.items():
        for _ in range(count):
            plan.staff.append(
                _staff(rng, phones, username_for("guard"), Role.GUARD, "保安", Sex.MALE, campus=campus_name)
            )
    for campus in plan.campuses[1:]:
        plan.staff.append(_staff(rng, phones, username_for("health"), Role.HEALTH_TEACHER, "保健医生",
                                 campus=campus.name))
    return plan


def plan_demo(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Everything the demo builds, as plain data: same seed, same plan (no database, no today)."""
    rng = random.Random(seed)
    phones: set[str] = set()
    ids: set[str] = set()
    kindergartens = [_plan_kindergarten(rng, spec, phones, ids) for spec in KINDERGARTENS]
    supervisor = _staff(rng, phones, SUPERVISOR_USERNAME, Role.SUPERVISOR, SUPERVISOR_POST, login=True)
    return DemoPlan(seed, DISTRICT_NAME, DISTRICT_SLUG, supervisor, kindergartens)


def demo_usernames() -> list[str]:
    """The demo logins in the order they are shown: the first kindergarten, the district, the second."""
    names = [base for _, base, _ in LOGIN_ROLES]
    return names + [SUPERVISOR_USERNAME] + [base + "2" for base in names]


# --- extension steps -----------------------------------------------------------------------------


@dataclass
class DemoContext:
    """What a demo step gets. Models, not plans: steps write rows of their own area."""

    seed: int
    rng: random.Random
    password_hash: str
    school_year: int
    term_start: dt.date
    term_end: dt.date
    district: object
    kindergartens: dict  # slug → Kindergarten
    campuses: dict  # (slug, campus name) → Campus
    classes: dict  # (slug, class name) → SchoolClass
    users: dict  # username → User (demo logins and other staff)
    counts: dict[str, int] = field(default_factory=dict)

    def classes_of(self, slug: str) -> list:
        return [c for (s, _), c in self.classes.items() if s == slug]

    def children_of(self, slug: str):
        from houqin.org.models import Child

        return Child.objects.filter(kindergarten=self.kindergartens[slug]).order_by("pk")


DemoStep = Callable[[DemoContext], None]
DEMO_STEPS: list[DemoStep] = []


def demo_step(func: DemoStep) -> DemoStep:
    """Register a step of the demo (decorator). Steps run in order after the organisation is built."""
    if func not in DEMO_STEPS:
        DEMO_STEPS.append(func)
    return func


def ordered_steps() -> list[DemoStep]:
    """The steps in INSTALLED_APPS order (an area's data may read an earlier area's: the canteen's
    meal account reads health's attendance), then in definition order, whatever order the modules
    happened to be imported in."""
    from django.apps import apps

    order = {config.name: i for i, config in enumerate(apps.get_app_configs())}

    def app_index(step: DemoStep) -> int:
        module = step.__module__
        return min((i for name, i in order.items() if module == name or module.startswith(name + ".")),
                   default=len(order))

    return sorted(DEMO_STEPS, key=app_index)  # stable: definition order within an app


def _discover_steps() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")


# --- writing the plan ----------------------------------------------------------------------------


def _write(plan: DemoPlan, password_hash: str) -> DemoContext:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from simple_history.utils import bulk_create_with_history

    from houqin.org.models import (
        Campus,
        Child,
        District,
        Guardian,
        Kindergarten,
        Membership,
        PickupPerson,
        SchoolClass,
    )

    User = get_user_model()
    district, _ = District.objects.get_or_create(slug=plan.district_slug, defaults={"name": plan.district_name})
    ctx = DemoContext(
        seed=plan.seed, rng=random.Random(plan.seed), password_hash=password_hash, school_year=SCHOOL_YEAR,
        term_start=TERM_START, term_end=TERM_END, district=district, kindergartens={}, campuses={}, classes={},
        users={},
    )
    counts = {"kindergartens": 0, "campuses": 0, "classes": 0, "children": 0, "guardians": 0, "pickup people": 0,
              "users": 0, "memberships": 0}

    # Users first (no history on users): demo logins get the one hash, the others an unusable password.
    staff = [s for k in plan.kindergartens for s in k.staff] + [plan.supervisor]
    users = User.objects.bulk_create([
        User(username=s.username, full_name=s.full_name, phone=s.phone,
             password=password_hash if s.login else make_password(None))
        for s in staff
    ])
    ctx.users = {u.username: u for u in users}
    counts["users"] = len(users)

    for kg_plan in plan.kindergartens:
        kg = Kindergarten.objects.create(
            district=district, name=kg_plan.name, short_name=kg_plan.short_name, slug=kg_plan.slug,
            address=kg_plan.address, phone=kg_plan.phone,
        )
        ctx.kindergartens[kg.slug] = kg
        counts["kindergartens"] += 1
        children, child_plans = [], []
        for campus_plan in kg_plan.campuses:
            campus = Campus.objects.create(kindergarten=kg, name=campus_plan.name, address=campus_plan.address)
            ctx.campuses[(kg.slug, campus.name)] = campus
            counts["campuses"] += 1
            for class_plan in campus_plan.classes:
                school_class = SchoolClass.objects.create(
                    kindergarten=kg, campus=campus, name=class_plan.name, grade=class_plan.grade,
                    school_year=SCHOOL_YEAR, capacity=class_plan.capacity,
                )
                ctx.classes[(kg.slug, school_class.name)] = school_class
                counts["classes"] += 1
                for child_plan in class_plan.children:
                    child_plans.append(child_plan)
                    children.append(Child(
                        kindergarten=kg, school_class=school_class, name=child_plan.name, sex=child_plan.sex,
                        birth_date=child_plan.birth_date, enrolled_on=child_plan.enrolled_on,
                        id_number=child_plan.id_number, notes=child_plan.notes,
                    ))

        director = ctx.users["director" + kg_plan.suffix]
        for child in children:
            child.created_by = director
            child.fill_derived()  # bulk_create skips save()
        children = bulk_create_with_history(children, Child, batch_size=500, default_change_reason=CHANGE_REASON)
        guardians, pickups = [], []
        for child, child_plan in zip(children, child_plans, strict=True):
            for g in child_plan.guardians:
                guardians.append(Guardian(
                    kindergarten=kg, child=child, name=g.name, relation=g.relation, phone=g.phone,
                    is_primary=g.is_primary, user=ctx.users.get(g.username) if g.username else None,
                    created_by=director,
                ))
            for p in child_plan.pickups:
                pickups.append(PickupPerson(
                    kindergarten=kg, child=child, name=p.name, relation=p.relation, phone=p.phone,
                    valid_from=p.valid_from, valid_until=p.valid_until, created_by=director,
                ))
        bulk_create_with_history(guardians, Guardian, batch_size=500, default_change_reason=CHANGE_REASON)
        bulk_create_with_history(pickups, PickupPerson, batch_size=500, default_change_reason=CHANGE_REASON)
        counts["children"] += len(children)
        counts["guardians"] += len(guardians)
        counts["pickup people"] += len(pickups)

        for s in kg_plan.staff:
            membership = Membership.objects.create(
                user=ctx.users[s.username], role=s.role, kindergarten=kg, post=s.post,
                campus=ctx.campuses[(kg.slug, s.campus)] if s.campus else None,
            )
            if s.classes:
                membership.classes.set([ctx.classes[(kg.slug, name)] for name in s.classes])
            counts["memberships"] += 1

    Membership.objects.create(
        user=ctx.users[plan.supervisor.username], role=Role.SUPERVISOR, district=district, post=plan.supervisor.post
    )
    counts["memberships"] += 1
    ctx.counts = counts
    return ctx


def demo_logins() -> list[dict]:
    """The demo logins that exist, in display order, with their role and where they work."""
    from django.contrib.auth import get_user_model

    from houqin.org.models import Membership

    names = demo_usernames()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(user__username__in=names).select_related("kindergarten", "district")
    }
    rows = []
    for name in names:
        user = users.get(name)
        membership = memberships.get(user.pk) if user else None
        if membership is None:
            continue
        rows.append({
            "username": name,
            "full_name": user.full_name,
            "role": membership.role,
            "role_title": ROLE_TITLES.get(membership.role, membership.role),
            "where": str(membership.kindergarten.name if membership.kindergarten else membership.district.name),
            "kindergarten": membership.kindergarten.slug if membership.kindergarten else None,
        })
    return rows


def build_demo(*, seed: int = DEFAULT_SEED, password: str = DEMO_PASSWORD) -> dict:
    """Build the demo district (in one transaction) unless the `demo` kindergarten exists.

    Returns {"created": bool, "counts": {what: how many}, "logins": demo_logins()}.
    """
    from django.contrib.auth.hashers import make_password

    from houqin.org.models import Kindergarten

    _discover_steps()
    with transaction.atomic():
        if Kindergarten.objects.filter(slug=DEMO_SLUG).exists():
            return {"created": False, "counts": {}, "logins": demo_logins()}
        plan = plan_demo(seed)
        ctx = _write(plan, make_password(password))  # hashed once for every demo login
        for step in ordered_steps():
            ctx.rng = random.Random(f"{seed}:{step.__module__}.{step.__qualname__}")
            step(ctx)
    return {"created": True, "counts": ctx.counts, "logins": demo_logins()}

