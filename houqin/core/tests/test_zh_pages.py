"""Every page of every role, in zh-hans, speaks Chinese: no developer text on a page.

The pages come from the URL resolver (like test_route_probe), not from a list kept by hand, so a
page is checked the day it lands. The URL parameters are filled from the test world and the records
each area's policy matrix makes (its ROUTES and _objects: the same objects its own tests open); a
page is opened by every k1 role its capability grants (the district's pages by the supervisor, the
public ones by an anonymous visitor). A page fails on:

- a server error;
- a Latin-letter word outside ALLOWED (units, "PDF", "Excel", …) and the world's own data (the
  test users are named "principal", "teacher", …; codes the users typed);
- "{{", "{%" or "%(" left in the text (a template or a format string not filled);
- an emoji (an empty box on many office PCs: icons come from the icon font);
- an English msgid of the catalogue shown as it is (a string not marked for translation, or one
  whose translation is missing).

Text is read from the text nodes and the attributes a person sees or hears (title, placeholder,
aria-label, alt); an element in another language (lang="en": the language switch's "English") is
left out.
"""

import importlib
import re
from html.parser import HTMLParser

import polib
import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, resolve

from houqin import policy
from houqin.core.tests.test_i18n import ZH_PO
from houqin.core.tests.test_policy import NOT_OURS, _walk
from houqin.core.tests.test_route_probe import PAGE_PARAMS, _fill
from houqin.org.models import Role
from houqin.testing import MISSING

pytestmark = pytest.mark.django_db

# Latin-letter words a Chinese page may show: units, file formats, standards' codes and names Chinese
# staff use as they are, pinyin initials the search hints give as examples. A single letter is
# allowed too (°C, 维生素A, A群流脑疫苗, A4纸). Anything else is English left on the page.
ALLOWED = {
    # units
    "kg", "mg", "ug", "cm", "mm", "km", "ml", "mL", "kcal", "kJ", "min", "MB", "KB", "lux", "lx", "mmol",
    # file formats and names used as they are
    "PDF", "Excel", "Word", "CSV", "JPEG", "JPG", "PNG", "WebP", "xlsx", "docx", "pdf", "png", "jpg", "jpeg",
    "QR", "BMI", "WS", "GB", "ABC",
    # the growth chart's lines as Chinese child-health documents write them (−2SD, +2SD); μgRAE
    "SD", "gRAE",
    # pinyin initials in the search hints (dm = 大米, qc = 青菜)
    "dm", "qc",
}
# Pages still showing English, with what is left to do: each is fixed in its area and taken off.
KNOWN: dict[str, str] = {}
# Routes that are not pages a person reads, with the reason.
NOT_PAGES = {
    "logout/": "signing out (a POST)",
    "i18n/": "the language switch (a POST)",
}
# The area test modules whose policy matrix makes records (module, function that returns the
# objects by kind and variant).
MATRICES = [
    "houqin.core.tests.test_policy",
    "houqin.health.tests.test_policy_matrix",
    "houqin.safety.tests.test_policy_matrix",
    "houqin.staff.tests.test_policy_matrix",
    "houqin.stock.tests.test_policy_matrix",
    "houqin.canteen.tests.test_policy_matrix",
    "houqin.assets.tests.test_policy_matrix",
    "houqin.foodsafety.tests.test_policy_matrix",
    "houqin.finance.tests.test_views",
    "houqin.notices.tests.test_notices",
]

_LATIN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2300-\u23FF\u2600-\u2604\u2607-\u27BF\u2B00-\u2BFF\uFE0F]")
_LEFT_OVER = re.compile(r"\{\{|\{%|%\(")
_URL = re.compile(r"https?://\S+")
SEEN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class _Text(HTMLParser):
    """The text a person reads or hears on a page, one string per node."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts = [], []

    def _hidden(self):
        return any(tag in self.SKIP or (lang and not lang.startswith("zh")) for tag, lang in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._hidden() and not (attrs.get("lang") or "zh").startswith("en"):
            self.texts += [v for k, v in attrs.items() if k in SEEN_ATTRIBUTES and v]
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, attrs.get("lang")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.texts.append(data.strip())


def page_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


def english_msgids() -> set[str]:
    """The catalogue's msgids a page could show as they are (a word or more of English)."""
    return {e.msgid for e in polib.pofile(str(ZH_PO)) if _LATIN.search(e.msgid) and not _LEFT_OVER.search(e.msgid)
            and "%" not in e.msgid and "{" not in e.msgid and len(e.msgid) > 2 and e.msgid not in ALLOWED}


def problems(texts: list[str], allowed: set[str], msgids: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text in msgids:
            found.append(f"untranslated: {text!r}")
        if _LEFT_OVER.search(text):
            found.append(f"template text: {text!r}")
        if _EMOJI.search(text):
            found.append(f"emoji: {text!r}")
        if _URL.fullmatch(text):
            continue  # a link written out (the QR code's address)
        words = [w for w in _LATIN.findall(text) if len(w) > 1 and w not in allowed and w.strip("'’") not in allowed]
        if words:
            found.append(f"English {words}: {text[:120]!r}")
    return found


def test_the_checker_finds_developer_text():
    texts = page_texts('<p title="Edit">编辑 Gate and pick-up</p><script>var a = "x";</script>'
                       '<button lang="en">English</button><span>{{ name }}</span><i>⛩ 门卫</i><b>Save</b>'
                       '<p>食盐 0.5 g，PDF</p>')
    assert "English" not in texts and 'var a = "x";' not in texts
    found = problems(texts, ALLOWED, {"Save"})
    assert found == ["English ['Edit']: 'Edit'", "English ['Gate', 'and', 'pick', 'up']: '编辑 Gate and pick-up'",
                     "template text: '{{ name }}'", "English ['name']: '{{ name }}'", "emoji: '⛩ 门卫'",
                     "untranslated: 'Save'", "English ['Save']: 'Save'"]


def _pick(variants: dict, world):
    for name in ("own", "k1", "all", "kitchen"):
        if variants.get(name) not in (None, MISSING):
            return variants[name]
    for obj in variants.values():
        if obj != MISSING and getattr(obj, "kindergarten_id", None) == world.k1.kg.pk:
            return obj
    return None


def _finance_objects(world):
    from types import SimpleNamespace

    from django.utils import timezone

    from houqin.finance import services
    from houqin.finance.models import BudgetCategory
    from houqin.finance.tests.helpers import actor_of

    today = timezone.localdate()
    for k in ("k1", "k2"):
        accountant = actor_of(world, Role.ACCOUNTANT, k)
        services.categories_create_defaults(actor=accountant)
        for category in BudgetCategory.objects.filter(kindergarten=getattr(world, k).kg):
            services.budget_set(actor=accountant, category=category, year=today.year, amount="10000.00")
    fin = SimpleNamespace(world=world, today=today)
    fin.actor = lambda role, k="k1": actor_of(world, role, k)
    fin.category = lambda name="办公用品", k="k1": BudgetCategory.objects.get(kindergarten=getattr(world, k).kg,
                                                                           name=name)
    fin.user = lambda role, k="k1": getattr(world, k).users[role]
    return importlib.import_module("houqin.finance.tests.test_views")._objects(fin)


def _store_of(world, k="k1"):
    """The stock set-up of houqin.stock.tests.conftest.make_store, made once: the stock matrix made
    it already when the food safety one asks for it."""
    from types import SimpleNamespace

    from houqin.stock.models import Item, Supplier, Warehouse, WarehouseKind
    from houqin.stock.tests.conftest import make_store

    ns = getattr(world, k)
    food = Warehouse.objects.filter(kindergarten=ns.kg, campus=ns.campuses[0], kind=WarehouseKind.FOOD).first()
    if food is None:
        return make_store(world, k)
    items = {i.name: i for i in Item.objects.filter(kindergarten=ns.kg)}
    return SimpleNamespace(
        kg=ns.kg, food=food, supplier=Supplier.objects.filter(kindergarten=ns.kg).first(),
        general=Warehouse.objects.filter(kindergarten=ns.kg, campus=ns.campuses[0], kind=WarehouseKind.GENERAL).first(),
        other_campus=Warehouse.objects.filter(kindergarten=ns.kg).exclude(campus=ns.campuses[0]).first(),
        rice=items["大米"], eggs=items["鸡蛋"], tissues=items["抽纸"], bleach=items["84消毒液"])


def _menu_of(made_by):
    """The food safety tests' published menu of this week, or the one the canteen matrix made."""

    def menu(world, k="k1", **kwargs):
        import datetime as dt
        from types import SimpleNamespace

        from django.utils import timezone

        from houqin.canteen.models import Dish, Menu

        today = timezone.localdate()
        existing = Menu.objects.filter(kindergarten=getattr(world, k).kg,
                                       week_start=today - dt.timedelta(days=today.weekday())).first()
        if existing is None:
            return made_by(world, k, **kwargs)
        existing.status, existing.published_at = "published", existing.published_at or timezone.now()
        existing.save()
        dishes = list(Dish.objects.filter(pk__in=existing.entries.values("dish")))
        return SimpleNamespace(menu=existing, dishes=dishes)

    return menu


def _objects_of(module, world):
    if module.__name__.startswith("houqin.assets."):
        from houqin.assets.tests.factories import build_assets

        return module._objects(world, build_assets(world))
    if module.__name__.startswith("houqin.foodsafety."):
        store, menu = module.make_store, module.publish_menu
        module.make_store, module.publish_menu = _store_of, _menu_of(menu)
        try:
            return {kind: {"k1": obj} for kind, obj in module._records(world, "k1").items()}
        finally:
            module.make_store, module.publish_menu = store, menu
    if module.__name__.startswith("houqin.finance."):
        return _finance_objects(world)
    if module.__name__.startswith("houqin.notices."):
        return {"notice": {"k1": module._notices(world)["all"]}}
    return module._objects(world)


def seeded_urls(world) -> tuple[dict[str, str], list[str]]:
    """{route pattern: a URL of it on a k1 record} from the areas' policy matrices; the modules
    whose records could not be made (with the error) are returned too."""
    urls, failed = {}, []
    for name in MATRICES:
        module = importlib.import_module(name)
        try:
            with transaction.atomic():
                objects = _objects_of(module, world)
        except Exception as error:  # noqa: BLE001 - reported by the test
            failed.append(f"{name}: {error!r}")
            continue
        for template, _capability, kind in module.ROUTES:
            if template.startswith("/api/") or "{code}" not in template or kind not in objects:
                continue
            obj = _pick(objects[kind], world)
            if obj is None or not getattr(obj, "code", None):
                continue
            url = template.format(kg="k1", code=obj.code)
            match = resolve(url.split("?")[0])
            urls.setdefault(match.route, url)
    return urls, failed


def pages(world):
    """(url, capability, district page) for every GET page of ours, and the routes left out."""
    seeded, failed = seeded_urls(world)
    found, left_out = [], list(failed)
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or any(route.startswith(p) for p in {**NOT_OURS, **NOT_PAGES}):
            continue
        if route in seeded:
            url = seeded[route]
        elif re.search(r"<(uuid|str:label|str:key)", route):
            left_out.append(route)
            continue
        else:
            url = _fill(route, PAGE_PARAMS)
        found.append((url, policy.declared_capability(pattern.callback), "<slug:district>" in route))
    return found, left_out


def _clients(world):
    clients = {}
    for role, user in {**world.k1.users, Role.SUPERVISOR: world.supervisor}.items():
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        clients[role] = client
    clients[None] = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return clients


def _roles(capability, district_page):
    if capability == policy.PUBLIC:
        return [None]
    if capability == policy.SUPERUSER or capability is None:
        return []
    if district_page:
        return [Role.SUPERVISOR]
    if capability == policy.AUTHENTICATED:
        return [Role.PRINCIPAL, Role.PARENT]
    return [r for r in policy.CAPABILITIES[capability].grants if r != Role.SUPERVISOR]


def _allowed_data(world) -> set[str]:
    """The world's own Latin-letter data: usernames (members are named by role), slugs and codes."""
    from django.contrib.auth import get_user_model

    words = set()
    for user in get_user_model().objects.all():
        words |= set(_LATIN.findall(f"{user.username} {user.full_name}"))
    for model in apps.get_models():
        for field in ("slug", "number", "label_code", "label", "plate", "batch", "lot", "model_type"):
            if any(f.name == field for f in model._meta.fields):
                for value in model.objects.values_list(field, flat=True):
                    if re.search(r"\d", str(value or "")):  # a code (ZC-2025-0001, MHQ-k1-01), not a word
                        words |= set(_LATIN.findall(str(value)))
    return words


def test_every_page_of_every_role_speaks_chinese(world):
    found, left_out = pages(world)
    assert len(found) > 120, left_out
    allowed = ALLOWED | _allowed_data(world)
    msgids = english_msgids()
    clients = _clients(world)
    failures, known, opened = {}, {}, 0
    for url, capability, district_page in found:
        route = resolve(url.split("?")[0]).route
        for role in _roles(capability, district_page):
            response = clients[role].get(url)
            opened += 1
            found_here = []
            if response.status_code >= 500:
                found_here.append(f"server error {response.status_code} for {role}")
            elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                found_here = problems(page_texts(response.content.decode()), allowed, msgids)
            target = known if route in KNOWN and not any(f.startswith("server error") for f in found_here) else failures
            target.setdefault(route, {}).update(dict.fromkeys(found_here))
    print(f"{opened} pages opened; left out (no record in the world, or an action without a page): {left_out}")
    print("known pages still to fix:", {route: len(found) for route, found in known.items() if found})
    report = "\n".join(f"{route}:\n  " + "\n  ".join(list(found)[:15]) for route, found in failures.items() if found)
    assert not report, f"{sum(1 for f in failures.values() if f)} pages with developer text:\n{report}"


def test_the_chinese_catalogue_has_no_fuzzy_and_no_empty_entry():
    catalogue = polib.pofile(str(ZH_PO))
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
    empty = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert not catalogue.metadata_is_fuzzy
    assert fuzzy == [] and empty == []
