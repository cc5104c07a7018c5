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

It lives on the day it is built: `build_demo(today=...)` (default: today's date) builds the district
as a real kindergarten looks at 9 a.m. that day. DemoDates holds every day a step may use (today, the
current and the previous term from core.calendar, the school days up to today, this week, last month)
and every step takes its dates from `ctx.dates` — never a frozen day, never the clock. Records run up
to that day: this week's menu published, last month's meal account published, today's morning checks
partly done (some classes still to check), a few to-dos due or overdue. The same seed and the same day
give the same district: `plan_demo(seed, dates)` draws every name, date and number from one
`random.Random(seed)` (never the global random state). `build_demo` then writes the plan in one
transaction, and does nothing if the `demo` kindergarten already exists.

Extending the demo (other areas)
--------------------------------
Each area may add a term of its own records (menus, morning checks, assets…). Write
`houqin/<area>/demo.py` with one or more steps:

    from houqin.org.demo import demo_step

    @demo_step
    def build_morning_checks(ctx):
        for school_class in ctx.classes_of("demo"):
            ...  # draw from ctx.rng, dates from ctx.dates, write with bulk_create_with_history
        ctx.counts["morning checks"] = n

`build_demo` imports every installed app's `demo` module (like the admin's autodiscovery), then runs
DEMO_STEPS in order — INSTALLED_APPS order, then definition order within a module — inside the same
transaction, after the organisation is built. Each step gets `ctx.rng`, a fresh `random.Random`
seeded from the demo seed and the step's own name, so adding or changing one step never changes the
data of another. See DemoContext for what else the context holds (kindergartens, campuses, classes,
users by username, ctx.dates, counts). Steps read no clock: their today is ctx.dates.today.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db import transaction

from houqin.core import calendar
from houqin.org.models import GRADE_AGE, Grade, Relation, Role, Sex

DEMO_PASSWORD = "Houqin-2026"  # long, mixed case, not common, not numeric: passes Django's validators
DEFAULT_SEED = 2026
DEMO_URL = "http://127.0.0.1:8000/"
# The reference term of the tools that want one fixed district (bench commands); the demo itself
# takes its dates from DemoDates.
SCHOOL_YEAR = 2026
TERM_START = dt.date(2026, 9, 1)  # autumn term of school year 2026–2027
TERM_END = dt.date(2027, 1, 15)
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


# The story of the demo was first told on a frozen term: 1 September – Friday 20 November 2026.
# DemoDates.moved() places a day of that story on the demo's own days.
STORY_START = dt.date(2026, 9, 1)
STORY_LAST = dt.date(2026, 11, 20)
STORY_TODAY = dt.date(2026, 11, 23)  # the school day after STORY_LAST
MIN_TERM_DAYS = 40  # fewer school days of the current term so far: the records start with the previous term


@dataclass(frozen=True)
class DemoDates:
    """The days of the demo, all from `today` and core.calendar (weekends and national holidays have no
    school days). Built once by build_demo and handed to every step as `ctx.dates`.

    - `term`: the term of today, or, in a vacation, the term that ended last; `previous`: the one before.
    - `start`: the first day of records: the term's start or, when the term has had fewer than
      MIN_TERM_DAYS school days so far, the previous term's start (a demo needs some history).
    - `days`: the school days from `start` up to and including today; `past_days` the ones before today.
    """

    today: dt.date

    @cached_property
    def term(self) -> calendar.Term:
        return calendar.current_term(self.today)

    @cached_property
    def previous(self) -> calendar.Term:
        return calendar.previous_term(self.today)

    @cached_property
    def start(self) -> dt.date:
        so_far = calendar.school_days(self.term.start, min(self.today - dt.timedelta(days=1), self.term.end))
        return self.term.start if len(so_far) >= MIN_TERM_DAYS else self.previous.start

    @cached_property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(calendar.school_days(self.start, min(self.today, self.term.end)))

    @cached_property
    def past_days(self) -> tuple[dt.date, ...]:
        return tuple(d for d in self.days if d < self.today)

    @property
    def is_school_day(self) -> bool:
        return calendar.is_school_day(self.today)

    @property
    def last_day(self) -> dt.date:
        """The last school day before today (a complete day of records)."""
        return self.past_days[-1]

    @property
    def school_year(self) -> int:
        return self.term.school_year

    @property
    def term_start(self) -> dt.date:
        return self.term.start

    @property
    def term_end(self) -> dt.date:
        return self.term.end

    @property
    def week_start(self) -> dt.date:
        """Monday of this week."""
        return self.today - dt.timedelta(days=self.today.weekday())

    @property
    def this_week(self) -> list[dt.date]:
        """The school days of this week (Monday to Friday), also those still to come."""
        return calendar.school_days(self.week_start, self.week_start + dt.timedelta(days=6))

    @property
    def this_month(self) -> dt.date:
        return self.today.replace(day=1)

    @property
    def last_month(self) -> dt.date:
        return (self.this_month - dt.timedelta(days=1)).replace(day=1)

    @cached_property
    def months(self) -> list[dt.date]:
        """The complete months (before this one) that had school days in the records, oldest first."""
        return sorted({d.replace(day=1) for d in self.past_days if d < self.this_month})

    def in_term(self, day: dt.date) -> bool:
        return self.start <= day <= self.today

    def back(self, n: int) -> dt.date:
        """The n-th school day before today (1: the last one), never before the first."""
        return self.past_days[-min(max(n, 1), len(self.past_days))]

    def at(self, fraction: float) -> dt.date:
        """The school day at this fraction of the records so far (0: the first, 1: the last)."""
        return self.past_days[round(fraction * (len(self.past_days) - 1))]

    def on_or_after(self, day: dt.date) -> dt.date:
        """The first school day of the records on or after `day` (the last one if none)."""
        return next((d for d in self.past_days if d >= day), self.last_day)

    def moved(self, day: dt.date) -> dt.date:
        """A day of the demo's first story (the term 1 Sept – 20 Nov 2026, judged on 23 Nov) placed on
        these dates: a school day of the story keeps its distance in school days from the last one
        (clamped to the first day of records); a day before the story keeps its distance in days from
        its start; a day after it its distance in days from today."""
        if day < STORY_START:
            return self.start - (STORY_START - day)
        if day > STORY_LAST:
            return self.today + (day - STORY_TODAY)
        behind = len(_story_days()) - len([d for d in _story_days() if d <= day])
        return self.past_days[max(len(self.past_days) - 1 - behind, 0)]


@lru_cache(maxsize=1)
def _story_days() -> list[dt.date]:
    return calendar.school_days(STORY_START, STORY_LAST)


def dates_for(today: dt.date | None = None) -> DemoDates:
    """The demo's dates on `today` (default: today in the kindergartens' time zone)."""
    from django.utils import timezone

    return DemoDates(today or timezone.localdate())



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


def enrolment_date_for(rng: random.Random, grade: str, birth_date: dt.date, school_year: int = SCHOOL_YEAR,
                       latest_day: dt.date | None = None) -> dt.date:
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
    start = max(start, birth_date + dt.timedelta(days=365 * 2))
    return min(start, latest_day) if latest_day else start  # nobody joins after the demo's today


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
    dates: DemoDates


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


def _plan_child(rng: random.Random, grade: str, phones: set[str], ids: set[str], dates: DemoDates) -> ChildPlan:
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    family = surname(rng)
    name = person_name(rng, sex, "child", family)
    birth = birth_date_for(rng, grade, dates.school_year)
    enrolled = enrolment_date_for(rng, grade, birth, dates.school_year, latest_day=dates.today)
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
            valid_from=max(enrolled, dates.start),
            valid_until=dates.term_end if rng.random() < 0.5 else None,
        ))
    return ChildPlan(name, sex, birth, enrolled, id_number, notes, guardians, pickups)


def _staff(rng, phones, username, role, post, sex=Sex.FEMALE, **kwargs) -> StaffPlan:
    return StaffPlan(username, person_name(rng, sex, "adult"), mobile_number(rng, phones), role, post, **kwargs)


def _plan_kindergarten(
    rng: random.Random, spec: _KindergartenSpec, phones: set[str], ids: set[str], dates: DemoDates
) -> KindergartenPlan:
    plan = KindergartenPlan(spec.slug, spec.name, spec.short_name, spec.address, spec.phone, spec.suffix, [])
    for campus_name, address, grades in spec.campuses:
        campus = CampusPlan(campus_name, address)
        for grade, numbers in grades.items():
            for number in numbers:
                low, high = CLASS_SIZE[grade]
                school_class = ClassPlan(f"{GRADE_PREFIX[grade]}{NUMERALS[number - 1]}班", grade, CAPACITY[grade])
                school_class.children = [_plan_child(rng, grade, phones, ids, dates) for _ in range(rng.randint(low, high))]
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


def plan_demo(seed: int = DEFAULT_SEED, dates: DemoDates | None = None) -> DemoPlan:
    """Everything the demo builds, as plain data: same seed and day, same plan (no database)."""
    dates = dates or dates_for()
    rng = random.Random(seed)
    phones: set[str] = set()
    ids: set[str] = set()
    kindergartens = [_plan_kindergarten(rng, spec, phones, ids, dates) for spec in KINDERGARTENS]
    supervisor = _staff(rng, phones, SUPERVISOR_USERNAME, Role.SUPERVISOR, SUPERVISOR_POST, login=True)
    return DemoPlan(seed, DISTRICT_NAME, DISTRICT_SLUG, supervisor, kindergartens, dates)


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
    dates: DemoDates  # today, the terms, the school days: every step's dates come from here
    school_year: int
    term_start: dt.date  # the first day of records (dates.start)
    term_end: dt.date  # the end of the current term
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
        seed=plan.seed, rng=random.Random(plan.seed), password_hash=password_hash, dates=plan.dates,
        school_year=plan.dates.school_year, term_start=plan.dates.start, term_end=plan.dates.term_end, district=district, kindergartens={}, campuses={}, classes={},
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
                    school_year=plan.dates.school_year, capacity=class_plan.capacity,
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


# The areas whose demo rows an area's demo steps read, built before it by build_part (the
# organisation, "org", is always built). "*": every area (the semester summary reads them all).
# An area that starts reading another area's demo rows names it here.
DEMO_NEEDS: dict[str, tuple[str, ...]] = {
    "finance": ("assets",),  # repair requests name the registered assets
    "canteen": ("stock", "finance", "health"),  # prices; the fee bills of the meal account; attendance, diets
    "foodsafety": ("stock", "canteen"),  # receiving into the ledger; samples of the menus' dishes
    "notices": ("health",),  # the morning check's fever alert
    "reports": ("*",),
}


def _area_of(step: DemoStep) -> str:
    from django.apps import apps

    config = apps.get_containing_app_config(step.__module__)
    return config.label if config else ""


def areas_with_needs(areas) -> set[str]:
    """The named areas and every area they need (DEMO_NEEDS, transitively), always with "org"."""
    _discover_steps()
    every = {_area_of(step) for step in DEMO_STEPS}
    wanted, todo = {"org"}, list(areas)
    while todo:
        area = todo.pop()
        if area == "*":
            todo.extend(every - wanted)
            continue
        if area not in every and area not in DEMO_NEEDS:
            raise ValueError(f"no demo steps for area {area!r} (known: {', '.join(sorted(every))})")
        if area not in wanted:
            wanted.add(area)
            todo.extend(DEMO_NEEDS.get(area, ()))
    return wanted


def build_part(*areas: str, today: dt.date | None = None, seed: int = DEFAULT_SEED,
               password_hash: str | None = None) -> DemoContext:
    """A part of the demo: the organisation (people, classes, logins) and the named areas' steps with
    the areas they need first (DEMO_NEEDS), in the demo's own order and with the same random streams,
    so each step's rows are the ones `build_demo` makes. `build_part("*")` is the whole demo. For
    benchmarks and tests that need some areas' demo rows; it writes in the caller's transaction
    (wrap it in one and roll back to leave the database as it was) and checks nothing exists."""
    from django.contrib.auth.hashers import make_password

    wanted = areas_with_needs(areas)
    ctx = _write(plan_demo(seed, dates_for(today)), password_hash or make_password(None))
    for step in ordered_steps():
        if _area_of(step) in wanted:
            ctx.rng = random.Random(f"{seed}:{step.__module__}.{step.__qualname__}")
            step(ctx)
    return ctx


def build_demo(today: dt.date | None = None, *, seed: int = DEFAULT_SEED, password: str = DEMO_PASSWORD) -> dict:
    """Build the demo district as it is at 9 a.m. on `today` (default: today), in one transaction,
    unless the `demo` kindergarten exists.

    Returns {"created": bool, "counts": {what: how many}, "logins": demo_logins()}.
    """
    from django.contrib.auth.hashers import make_password

    from houqin.org.models import Kindergarten

    with transaction.atomic():
        if Kindergarten.objects.filter(slug=DEMO_SLUG).exists():
            return {"created": False, "counts": {}, "logins": demo_logins()}
        # the password hashed once for every demo login
        ctx = build_part("*", today=today, seed=seed, password_hash=make_password(password))
    return {"created": True, "counts": ctx.counts, "logins": demo_logins()}



# --- guardians' rights (PIPL): a deletion request carried out ---------------------------------

def _signed_letter() -> bytes:
    """A phone photo of a signed letter: a white page with lines of handwriting and a signature."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (620, 877), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    for i in range(14):
        draw.line((60, 140 + i * 34, 560 - (i % 4) * 50, 140 + i * 34), fill=(60, 60, 90), width=3)
    draw.line((380, 700, 520, 690), fill=(20, 20, 120), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@demo_step
def build_deletion_request(ctx: DemoContext) -> None:
    """A child who left at the end of last term, whose mother asked in writing a week ago that the
    kindergarten delete the child's information; the principal has carried it out (the
    deletion requests page; the audit log). Built first of the steps: no other area holds the child."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from houqin import policy
    from houqin.org import privacy
    from houqin.org.models import Child, Guardian, Relation

    kg = ctx.kindergartens["demo"]
    today = ctx.dates.today
    school_class = ctx.classes_of("demo")[-1]
    birth = birth_date_for(ctx.rng, school_class.grade, ctx.school_year)
    sex = ctx.rng.choice([Sex.MALE, Sex.FEMALE])
    family = surname(ctx.rng)
    child = Child.objects.create(
        kindergarten=kg, name=person_name(ctx.rng, sex, family=family), sex=sex, birth_date=birth,
        school_class=school_class, enrolled_on=enrolment_date_for(ctx.rng, school_class.grade, birth, ctx.school_year),
        left_on=ctx.dates.start - dt.timedelta(days=1))
    mother = person_name(ctx.rng, Sex.FEMALE, generation="adult")
    Guardian.objects.create(kindergarten=kg, child=child, name=mother, relation=Relation.MOTHER,
                            phone=mobile_number(ctx.rng, set()), is_primary=True)
    Guardian.objects.create(kindergarten=kg, child=child, name=person_name(ctx.rng, Sex.MALE, family=family,
                                                                          generation="adult"),
                            relation=Relation.FATHER, phone=mobile_number(ctx.rng, set()))
    principal = policy.actor_for_kindergarten(ctx.users["principal"], kg)
    privacy.erasure_carry_out(actor=principal, child=child, received_on=today - dt.timedelta(days=7),
                              letter=SimpleUploadedFile("申请书.png", _signed_letter(), content_type="image/png"),
                              note="孩子已转学，母亲来园递交签字的删除申请")
    ctx.counts["deletion requests"] = 1
