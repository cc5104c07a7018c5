"""Factories and the standard test world, shared by every area's tests.

The world: district A with two kindergartens (k1 with two campuses and three classes, k2 with one
class) and district B with one (k3). Each kindergarten has one member per role, named by role
(`principal`, `teacher`, … in k1; with suffix 2 and 3 in k2 and k3); the class teacher and nursery
staff own class A1 only; the parent is the guardian of one child of A1 (and of a sibling in B1).
"""

import datetime as dt
import re
from types import SimpleNamespace

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from whitenoise.middleware import WhiteNoiseMiddleware

from houqin.org.models import (
    Campus,
    Child,
    District,
    Grade,
    Guardian,
    Kindergarten,
    Membership,
    Relation,
    Role,
    SchoolClass,
    Sex,
)

PASSWORD = "Houqin-test-2026"

ROLE_USERNAMES = {
    Role.PRINCIPAL: "principal",
    Role.DIRECTOR: "director",
    Role.HEALTH_TEACHER: "health",
    Role.CANTEEN: "canteen",
    Role.STOREKEEPER: "storekeeper",
    Role.ACCOUNTANT: "accountant",
    Role.CLASS_TEACHER: "teacher",
    Role.NURSERY: "nursery",
    Role.GUARD: "guard",
    Role.PARENT: "parent",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"第{n}区教育局")
    slug = factory.Sequence(lambda n: f"district-{n}")


class KindergartenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kindergarten

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"阳光第{n}幼儿园")
    slug = factory.Sequence(lambda n: f"kg-{n}")


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus

    kindergarten = factory.SubFactory(KindergartenFactory)
    name = factory.Sequence(lambda n: f"园区{n}")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    campus = factory.SubFactory(CampusFactory)
    kindergarten = factory.SelfAttribute("campus.kindergarten")
    name = factory.Sequence(lambda n: f"小{n}班")
    grade = Grade.SMALL
    school_year = 2026


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    school_class = factory.SubFactory(SchoolClassFactory)
    kindergarten = factory.SelfAttribute("school_class.kindergarten")
    name = factory.Sequence(lambda n: f"王小{n}")
    sex = Sex.FEMALE
    birth_date = dt.date(2022, 5, 1)
    enrolled_on = dt.date(2025, 9, 1)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    child = factory.SubFactory(ChildFactory)
    kindergarten = factory.SelfAttribute("child.kindergarten")
    name = factory.Sequence(lambda n: f"王家长{n}")
    relation = Relation.MOTHER
    phone = factory.Sequence(lambda n: f"139{n:08d}")


def make_member(username: str, role: Role, kindergarten=None, *, district=None, classes=(), campus=None):
    user = UserFactory(username=username, full_name=username)
    membership = Membership.objects.create(
        user=user, role=role, kindergarten=kindergarten, district=district, campus=campus
    )
    if classes:
        membership.classes.set(classes)
    return user


def _kindergarten(district, slug: str, name: str, suffix: str, class_names: list[tuple[str, int]]):
    kg = KindergartenFactory(district=district, slug=slug, name=name)
    campuses = {}
    classes = []
    for class_name, campus_no in class_names:
        if campus_no not in campuses:
            campuses[campus_no] = CampusFactory(kindergarten=kg, name=f"第{campus_no}园区")
        classes.append(SchoolClassFactory(campus=campuses[campus_no], name=class_name))
    children = [ChildFactory(school_class=c, name=f"{c.name}幼儿{i}") for c in classes for i in (1, 2)]
    own_class = classes[0]
    users = {}
    for role, base in ROLE_USERNAMES.items():
        classes_for = [own_class] if role in (Role.CLASS_TEACHER, Role.NURSERY) else []
        users[role] = make_member(base + suffix, role, kg, classes=classes_for)
    own_child = children[0]
    GuardianFactory(child=own_child, user=users[Role.PARENT], name="家长" + suffix)
    return SimpleNamespace(
        kg=kg, campuses=list(campuses.values()), classes=classes, children=children, users=users,
        own_class=own_class, own_child=own_child,
        other_class=classes[1] if len(classes) > 1 else None,
        other_child=next((c for c in children if c.school_class_id != own_class.pk), None),
    )


def build_world() -> SimpleNamespace:
    district_a = DistrictFactory(name="城南区教育局", slug="chengnan")
    district_b = DistrictFactory(name="城北区教育局", slug="chengbei")
    k1 = _kindergarten(district_a, "k1", "阳光幼儿园", "", [("小一班", 1), ("中一班", 1), ("大一班", 2)])
    k2 = _kindergarten(district_a, "k2", "彩虹幼儿园", "2", [("小一班", 1), ("中一班", 1)])
    k3 = _kindergarten(district_b, "k3", "星星幼儿园", "3", [("小一班", 1), ("中一班", 1)])
    # The parent of k1 has a second child (a sibling) in another class: both are theirs.
    sibling = k1.children[2]
    GuardianFactory(child=sibling, user=k1.users[Role.PARENT], name="家长")
    supervisor_a = make_member("district", Role.SUPERVISOR, district=district_a)
    supervisor_b = make_member("district_b", Role.SUPERVISOR, district=district_b)
    return SimpleNamespace(
        district_a=district_a, district_b=district_b, k1=k1, k2=k2, k3=k3, sibling=sibling,
        supervisor=supervisor_a, supervisor_b=supervisor_b,
    )


# ---------------------------------------------------------------------------------------------
# The role × route × scope matrix, reusable by every area's tests.

MISSING = "missing"


def _follow(obj, path: str):
    """Follow a Django lookup path (`school_class__campus_id`) through Python attributes."""
    for part in path.split("__"):
        if part == "pk":
            obj = obj.pk
        else:
            obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


def oracle_in_scope(world, role, scope, obj) -> bool:
    """Whether `obj` lies in the scope of `role` in k1, judged in Python from the fixtures (not
    through the policy's queries)."""
    from houqin.policy import Scope

    if obj is None:
        return True
    if obj == MISSING or obj.kindergarten_id != world.k1.kg.pk:
        return False
    paths = getattr(type(obj), "scope_paths", {})
    if scope == Scope.KINDERGARTEN:
        return True
    if scope == Scope.CLASS:
        return "class" in paths and _follow(obj, paths["class"]) == world.k1.own_class.pk
    if scope == Scope.CHILD:
        return "child" in paths and _follow(obj, paths["child"]) in {world.k1.own_child.pk, world.sibling.pk}
    return False


def expected_status(world, role, capability, obj, *, is_api: bool) -> int:
    from houqin.policy import CAPABILITIES

    if role is None:
        return 401 if is_api else 302
    if role == Role.SUPERVISOR:
        return 404  # no membership in a kindergarten: its pages do not exist for a supervisor
    grant = CAPABILITIES[capability].grants.get(role)
    if grant is None:
        return 403
    if not oracle_in_scope(world, role, grant, obj):
        return 404
    return 200


def run_matrix(world, routes, objects) -> tuple[list[str], int]:
    """GET every route as every k1 role, the supervisor and an anonymous visitor, with every object
    variant; return the mismatches against `expected_status` and the number of requests made.

    `routes`: (url template with {kg} and {code}, capability, object kind or None);
    `objects`: {kind: {variant name: object or MISSING}}.
    """
    import uuid

    from django.test import Client

    principals = {None: None, Role.SUPERVISOR: world.supervisor, **dict(world.k1.users.items())}
    mismatches, checked = [], 0
    for role, user in principals.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for template, capability, kind in routes:
            variants = objects[kind].items() if kind else [("-", None)]
            for variant, obj in variants:
                code = uuid.UUID(int=1) if obj == MISSING else getattr(obj, "code", None)
                url = template.format(kg="k1", code=code)
                is_api = url.startswith("/api/")
                expected = expected_status(world, role, capability, obj, is_api=is_api)
                status = client.get(url).status_code
                checked += 1
                if status != expected:
                    mismatches.append(f"{role} GET {url} [{variant}]: {status}, expected {expected}")
    return mismatches, checked


# The home page asks every area for its to-dos: each provider costs a fixed number of queries, so
# the page's count is fixed (the query tests check it does not grow with rows) but larger than a
# list page's. Measured with all areas on the test world's first kindergarten: 10 (parent) to 47
# (director); 44 health teacher, 39 principal (what several providers read alike is read once per
# request: core.per_request); 51 for the director when food safety has its records of every kind
# (foodsafety's query test).
HOME_QUERY_BUDGET = 52


def query_budget(url: str, budget: int) -> int:
    """`budget` for a list page, HOME_QUERY_BUDGET for a kindergarten's home page."""
    return HOME_QUERY_BUDGET if re.fullmatch(r"/k/[\w-]+/", url) else budget


def count_queries(client, url) -> int:
    """The queries of one GET of `url` by `client` (a streamed response read to its end); it must
    answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def query_count_mismatches(pages, client_for, grow, budget: int | None) -> tuple[dict, list[str]]:
    """The fixed-query-count check of many pages on one growing world (growing it is what costs):
    each page whose first GET (it also warms the session's caches) answers 200 is counted, then the
    rows are grown (`grow()`) and each is counted again. A count that changed, or one over its budget
    (query_budget; no budget when `budget` is None), is a mismatch. A page is a URL, or a (who, URL)
    pair when one URL is opened by several clients; `client_for(page)`: the client that opens it.
    Returns ({page: queries with few rows}, mismatches)."""

    def url_of(page) -> str:
        return page if isinstance(page, str) else page[-1]

    small = {page: count_queries(client_for(page), url_of(page)) for page in pages
             if client_for(page).get(url_of(page)).status_code == 200}
    grow()
    wrong = []
    for page, few in small.items():
        many = count_queries(client_for(page), url_of(page))
        if many != few:
            wrong.append(f"{page}: {few} queries with few rows, {many} with many")
        if budget is not None and few > query_budget(url_of(page), budget):
            wrong.append(f"{page}: {few} queries")
    return small, wrong


# --------------------------------------------------------------------------------------------
# Files for upload tests: friendly ones and the hostile ones the probes used


def image_bytes(fmt: str = "JPEG", size=(40, 30), color=(200, 30, 30), exif=None) -> bytes:
    """A small real image; `exif` (a PIL.Image.Exif or bytes) is written into it when given."""
    import io

    from PIL import Image

    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(out, fmt, **options)
    return out.getvalue()


def gps_exif(latitude=(31.0, 58.0, 0.0), longitude=(118.0, 47.0, 0.0)):
    """EXIF that places a photo at 31°58′N 118°47′E (Nanjing), the probe's location."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: latitude, 3: "E", 4: longitude}
    return exif


def pdf_bytes(catalog_extra: bytes = b"", objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF written by hand (so that raw names like `/J#61vaScript` stay as written), with
    a correct cross-reference table. `catalog_extra` goes into the catalog; `objects` are numbered
    from 4 on."""
    body = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>", *objects]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    return bytes(out)


HOSTILE_PDFS = {
    # the name escape `#61` is "a": the receipts' old filter looked for the literal "/JavaScript"
    "javascript": pdf_bytes(b"/OpenAction 4 0 R", (b"<< /S /J#61vaScript /JS (app.alert(1)) >>",)),
    "launch": pdf_bytes(b"/OpenAction 4 0 R", (b"<< /S /Launch /F (cmd.exe) >>",)),
    "embedded file": pdf_bytes(
        b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 4 0 R] >> >>",
        (b"<< /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >>",
         b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")),
    "xfa form": pdf_bytes(b"/AcroForm << /Fields [] /XFA 4 0 R >>", (b"<< /Length 4 >>\nstream\n<x/>\nendstream",)),
}


def html_after_jpeg_header() -> bytes:
    """A JPEG's first bytes, then a web page: accepted as-is, it would be served as a page."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><body><script>alert(document.cookie)</script></body></html>"


def renamed_exe() -> bytes:
    """A Windows program's first bytes (MZ…PE), whatever name it is uploaded under."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def upload_file(content: bytes, name: str, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


# --- two-step sign-in (core.otp) in tests ----------------------------------------------------------
# The test settings keep two-step sign-in on. Tests that sign in with `client.force_login` (the root
# conftest's `login` fixture, the policy matrices, the route probe) get a verified session: the root
# conftest wraps Client.force_login with `verify_session` below, as if the user had given the code
# from their phone. `force_login_unverified` signs in without it (the state right after the password).
# Tests that sign in through the login page give the code themselves (`totp_code`).


def otp_device(user):
    """The user's confirmed phone app (TOTP) device, made when missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def totp_code(device, *, fresh: bool = False) -> str:
    """The code the phone app shows now, computed from the device's key (a step after the last one
    used, so that a second sign-in within 30 s still works). `fresh` forgets the last used step."""
    from django_otp.oath import TOTP, hotp

    device.refresh_from_db()
    if fresh:
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
        device.last_t = -1
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    return f"{hotp(device.bin_key, max(now, device.last_t + 1), digits=device.digits):0{device.digits}d}"


def verify_session(client, user):
    """Mark the client's session as verified by the user's phone, when the user must give a code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from houqin.core.otp import must_verify

    if not must_verify(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = otp_device(user).persistent_id
    session.save()


def force_login_unverified(client, user):
    """Sign in with the password only: two-step sign-in not yet done."""
    from django.test import Client

    getattr(Client.force_login, "unverified", Client.force_login)(client, user)


def force_login_verifying(original):
    """Client.force_login that also verifies the session (installed by the root conftest)."""
    import functools

    @functools.wraps(original)
    def force_login(self, user, backend=None):
        original(self, user, backend)
        verify_session(self, user)

    force_login.unverified = original
    return force_login


# The demo's determinism is checked on the build every run makes anyway (conftest's demo_built): it
# builds the demo twice, the first time inside a transaction rolled back, and takes each registered
# snapshot of both. An area's demo test registers its snapshot here and compares the two.
DEMO_SNAPSHOTS: dict[str, tuple] = {}


def demo_snapshot(name: str, *, during=None):
    """Register `fn` (no arguments → a comparable value) as the demo snapshot `name`. `during`, if
    given, is a context manager factory entered around the first build only (e.g. to show a step
    never reads the clock)."""

    def register(fn):
        DEMO_SNAPSHOTS[name] = (fn, during)
        return fn

    return register


class WhiteNoiseIndexedOnce(WhiteNoiseMiddleware):
    """WhiteNoise as in production (config.settings_test puts it in its place), with its index of the
    static files made once per test process instead of once per test client: each client builds
    its own middleware, and WhiteNoise's index (a stat and the headers of each of ~900 files) cost
    ~0.1 s a client, more than most tests. The files it serves and their headers are the same;
    the index is kept per set of options, and in autorefresh mode (no index) nothing is kept."""

    _indexes: dict = {}

    def add_files(self, root, prefix=None):
        self._indexed(("root", str(root), prefix), lambda: super(WhiteNoiseIndexedOnce, self).add_files(root, prefix))

    def add_files_from_finders(self):
        self._indexed(("finders",), super().add_files_from_finders)

    def _indexed(self, source, scan):
        if self.autorefresh:
            return scan()
        immutable = getattr(self.immutable_file_test, "__func__", self.immutable_file_test)
        key = (source, self.max_age, self.allow_all_origins, self.charset, self.index_file,
               repr(getattr(settings, "WHITENOISE_MIMETYPES", None)), self.add_headers_function, immutable)
        if key not in self._indexes:
            before = dict(self.files)
            scan()
            self._indexes[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(self._indexes[key])
