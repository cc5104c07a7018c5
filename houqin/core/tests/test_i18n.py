"""The interface language: zh-hans is the default, English the second language.

Interface strings are English msgids. These tests keep the Chinese catalogue complete and
consistent, so that a new English string without a translation fails CI, and check that a page
really comes out in Chinese, or in English when the visitor asks for it.

When a test here fails because of a missing msgid, regenerate the catalogues and translate the
new entries (docs/GLOSSARY.md gives the Chinese word for each English one):

    cd houqin && ../.venv/bin/python ../manage.py makemessages -l zh_Hans --no-location --no-obsolete -i "static/*"
    cd houqin && ../.venv/bin/python ../manage.py makemessages -l en --no-location --no-obsolete -i "static/*"
"""

import ast
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils import translation
from django.utils.translation import trim_whitespace

HOUQIN = Path(__file__).resolve().parents[2]
LOCALE = HOUQIN / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
REGENERATE = 'cd houqin && ../.venv/bin/python ../manage.py makemessages -l zh_Hans --no-location --no-obsolete -i "static/*"'


# --- placeholders -----------------------------------------------------------------------------

# A printf conversion as Python's % operator reads it; "%%" is a literal percent sign. The space
# flag is left out, so that "5% discount" does not read as a "% d" conversion.
_PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0+-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
_TEMPLATE_VAR = re.compile(r"\{\{\s*[^{}]*?\s*\}\}")
_BRACE = re.compile(r"\{[^{}\s]*\}")


def placeholders(text: str) -> tuple[frozenset, tuple, Counter]:
    """(named %(x)s conversions, positional %s/%d conversions in order, {{ x }} and {x} tokens)."""
    named, positional = set(), []
    for m in _PRINTF.finditer(text):
        if m.group() == "%%":
            continue
        if m["name"] is not None:
            named.add(m.group())
        else:
            positional.append(m.group())
    template_vars = [re.sub(r"\s+", "", v) for v in _TEMPLATE_VAR.findall(text)]
    braces = _BRACE.findall(_TEMPLATE_VAR.sub("", text))
    return frozenset(named), tuple(positional), Counter(template_vars + braces)


def test_placeholders_are_recognised():
    named, positional, tokens = placeholders("%(cls)s：%(n)d 名 %s %d 100%% {{ created }} {0} {name}")
    assert named == {"%(cls)s", "%(n)d"}
    assert positional == ("%s", "%d")
    assert tokens == Counter({"{{created}}": 1, "{0}": 1, "{name}": 1})


# --- (a) every msgid of the Chinese catalogue is translated -----------------------------------


@pytest.fixture(scope="module")
def zh_catalogue() -> polib.POFile:
    assert ZH_PO.exists(), f"{ZH_PO} is missing: run {REGENERATE}"
    return polib.pofile(str(ZH_PO))


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def test_the_chinese_catalogue_has_a_clean_header(zh_catalogue):
    assert not zh_catalogue.metadata_is_fuzzy, "the header is marked fuzzy: msgfmt would ignore it"
    assert zh_catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert zh_catalogue.metadata.get("Content-Type") == "text/plain; charset=UTF-8"


def test_every_msgid_has_a_chinese_translation(zh_catalogue):
    entries = [e for e in zh_catalogue if not e.obsolete]
    assert len(entries) > 100, "the catalogue looks truncated"
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check the translation, then remove the flag): {fuzzy}"
    empty = []
    for e in entries:
        if e.msgid_plural:
            # Chinese has one plural form: msgstr[0] is used for every n.
            if not e.msgstr_plural or not all(str(v).strip() for v in e.msgstr_plural.values()):
                empty.append(_label(e))
        elif not e.msgstr.strip():
            empty.append(_label(e))
    assert not empty, f"{len(empty)} msgids without a Chinese translation: {empty}"


def test_translations_keep_the_placeholders(zh_catalogue):
    wrong = []
    for e in zh_catalogue:
        if e.obsolete:
            continue
        if e.msgid_plural:
            pairs = [(e.msgid_plural, str(s)) for s in e.msgstr_plural.values()]
        else:
            pairs = [(e.msgid, e.msgstr)]
        for source, msgstr in pairs:
            if placeholders(source) != placeholders(msgstr):
                wrong.append((source, msgstr))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_chinese_translations_use_chinese_punctuation(zh_catalogue):
    """A sentence ends with 。 (or ？！), not with an ASCII full stop after Chinese text."""
    wrong = [
        e.msgstr
        for e in zh_catalogue
        if not e.obsolete and re.search(r"[\u4e00-\u9fff）][.,;:]\s*$|[\u4e00-\u9fff][,;:]\s*[\u4e00-\u9fff]", e.msgstr)
    ]
    assert not wrong, f"use ，。：；（） in Chinese sentences: {wrong}"


# --- (b) the catalogue holds every msgid of the source ----------------------------------------

# The keywords makemessages gives xgettext (its own Python defaults plus Django's), with the
# positions of (context, singular, plural) among the arguments.
_KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
_SKIPPED_DIRS = {"static", "locale", "__pycache__", "node_modules"}


def _source_files(*suffixes: str):
    for path in sorted(HOUQIN.rglob("*")):
        parts = path.relative_to(HOUQIN).parts
        if path.suffix not in suffixes or not path.is_file():
            continue
        if parts[0] in _SKIPPED_DIRS or any(p.startswith(".") or p in _SKIPPED_DIRS for p in parts):
            continue
        yield path


def _literal(node) -> str | None:
    """The text of a string literal (adjacent literals are already joined by the parser)."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_msgids(source: str, origin: str = "<string>") -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, msgid_plural) of each gettext-family call with literal arguments."""
    found = set()
    for node in ast.walk(ast.parse(source, origin)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in _KEYWORDS:
            continue
        ctx_at, msg_at, plural_at = _KEYWORDS[name]
        args = node.args
        if len(args) <= msg_at or _literal(args[msg_at]) is None:
            continue
        context = _literal(args[ctx_at]) if ctx_at is not None else None
        if ctx_at is not None and context is None:
            continue
        plural = _literal(args[plural_at]) if plural_at is not None and len(args) > plural_at else None
        found.add((context, _literal(args[msg_at]), plural))
    return found


# The same patterns as django.utils.translation.template, which makemessages uses for templates.
_QUOTED = r"""(?:"[^"]*?"|'[^']*?')"""
_TRANS = re.compile(rf"^\s*trans(?:late)?\s+({_QUOTED})(?:.*?\s+context\s+({_QUOTED}))?")
_BLOCKTRANS = re.compile(rf"^\s*blocktrans(?:late)?(?:\s+.*context\s+({_QUOTED}))?(?:\s+|$)")
_ENDBLOCKTRANS = re.compile(r"^\s*endblocktrans(?:late)?$")
_PLURAL = re.compile(r"^\s*plural$")
_CONSTANT = re.compile(r"""_\(((?:".*?")|(?:'.*?'))\)""")


def _unquote(quoted: str) -> str:
    return quoted[1:-1]


def template_msgids(source: str, origin: str = "<template>") -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, msgid_plural) of {% trans %}, {% blocktrans %} and _("…") in a template.

    Normalised as makemessages does: in {% trans %} and in blocktrans text "%" becomes "%%", and in
    blocktrans bodies {{ var }} becomes %(var)s; "trimmed" collapses the whitespace.
    """
    found = set()
    block = None  # (context, trimmed, singular parts, plural parts or None) inside a blocktrans
    in_comment = False
    for token in Lexer(source).tokenize():
        kind, contents = token.token_type, token.contents
        if in_comment:
            in_comment = not (kind == TokenType.BLOCK and contents == "endcomment")
            continue
        if block is not None:
            context, trimmed, singular, plural = block
            parts = singular if plural is None else plural
            if kind == TokenType.BLOCK and _ENDBLOCKTRANS.match(contents):
                join = (lambda p: trim_whitespace("".join(p))) if trimmed else "".join
                found.add((context, join(singular), None if plural is None else join(plural)))
                block = None
            elif kind == TokenType.BLOCK and _PLURAL.match(contents):
                block = (context, trimmed, singular, [])
            elif kind == TokenType.BLOCK:
                raise AssertionError(f"{origin}:{token.lineno}: no other tags inside a blocktrans: {contents}")
            elif kind == TokenType.VAR:
                parts.append(f"%({contents})s")
            elif kind == TokenType.TEXT:
                parts.append(contents.replace("%", "%%"))
            continue
        if kind == TokenType.BLOCK:
            if trans := _TRANS.match(contents):
                context = _unquote(trans[2]) if trans[2] else None
                found.add((context, _unquote(trans[1]).replace("%", "%%"), None))
            elif blocktrans := _BLOCKTRANS.match(contents):
                context = _unquote(blocktrans[1]) if blocktrans[1] else None
                block = (context, "trimmed" in token.split_contents(), [], None)
                found.update((None, _unquote(c), None) for c in _CONSTANT.findall(contents))
            elif contents == "comment":
                in_comment = True
            else:
                found.update((None, _unquote(c), None) for c in _CONSTANT.findall(contents))
        elif kind == TokenType.VAR:
            found.update((None, _unquote(c), None) for c in _CONSTANT.findall(contents))
    assert block is None, f"{origin}: a blocktrans is not closed"
    return found


def test_the_template_scanner_normalises_like_django():
    source = (
        '{% load i18n %}{% trans "To do" %} {% translate \'Save\' context "form" %} {{ x|default:_("system") }}'
        "{% blocktrans with created=r.created %}Imported: {{ created }} new, 100% sure.{% endblocktrans %}"
        "{% blocktranslate trimmed count n=k %}\n  one {{ n }}\n  child{% plural %}{{ n }} children{% endblocktranslate %}"
        '{% comment %}{% trans "Not me" %}{% endcomment %}'
    )
    assert template_msgids(source) == {
        (None, "To do", None),
        ("form", "Save", None),
        (None, "system", None),
        (None, "Imported: %(created)s new, 100%% sure.", None),
        (None, "one %(n)s child", "%(n)s children"),
    }


def test_the_python_scanner_finds_gettext_calls():
    source = (
        "from django.utils import translation\n"
        "a = _('single') + gettext_lazy(\"double\")\n"
        "b = _('joined '\n      'literals')\n"
        "c = ngettext('%(n)d child', '%(n)d children', n) % {'n': n}\n"
        "d = translation.pgettext('menu', 'Dish')\n"
        "e = _(variable)\n"
    )
    assert python_msgids(source) == {
        (None, "single", None),
        (None, "double", None),
        (None, "joined literals", None),
        (None, "%(n)d child", "%(n)d children"),
        ("menu", "Dish", None),
    }


def source_msgids() -> dict[tuple[str | None, str, str | None], str]:
    """Every msgid in houqin/**/*.py and the templates, with the file it was first seen in."""
    found = {}
    for path in _source_files(".py"):
        for key in python_msgids(path.read_text(encoding="utf-8"), str(path)):
            found.setdefault(key, str(path.relative_to(HOUQIN)))
    for path in _source_files(".html", ".txt"):
        for key in template_msgids(path.read_text(encoding="utf-8"), str(path)):
            found.setdefault(key, str(path.relative_to(HOUQIN)))
    return found


def test_the_catalogue_has_every_msgid_of_the_source(zh_catalogue):
    in_catalogue = {(e.msgctxt, e.msgid): e for e in zh_catalogue if not e.obsolete}
    missing = []
    for (context, msgid, plural), origin in sorted(source_msgids().items(), key=lambda kv: kv[1]):
        entry = in_catalogue.get((context, msgid))
        if entry is None or (plural is not None and entry.msgid_plural != plural):
            missing.append(f"{origin}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, (
        f"{len(missing)} msgids are not in {ZH_PO.relative_to(HOUQIN.parent)}: run\n  {REGENERATE}\n"
        "and translate the new entries:\n  " + "\n  ".join(missing)
    )


def test_the_english_catalogue_exists():
    """English is the msgid itself; its catalogue is there so that English is a known language."""
    assert EN_PO.exists(), f"{EN_PO} is missing: run makemessages -l en"
    catalogue = polib.pofile(str(EN_PO))
    assert "nplurals=2" in catalogue.metadata.get("Plural-Forms", "").replace(" ", "")


# --- (c) pages come out in the visitor's language ---------------------------------------------


def compile_catalogues() -> list[Path]:
    """Compile each .po whose .mo is missing or older, as scripts/compile_messages.py does."""
    compiled = []
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        os.close(fd)
        try:
            polib.pofile(str(po_path)).save_as_mofile(tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, mo_path)  # atomic: a concurrent reader sees the old or the new file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        compiled.append(mo_path)
    return compiled


@pytest.fixture
def compiled(settings):
    if compile_catalogues():
        # Django caches the catalogues per process: setting LOCALE_PATHS again makes it reload
        # them (django.test.signals.language_changed), now and when the setting is restored.
        settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
    language = translation.get_language()
    yield
    # LocaleMiddleware activates the request's language in this thread and leaves it active:
    # put back the language of before, so that English does not leak into the next tests.
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)


@pytest.mark.django_db
def test_home_is_in_chinese_by_default(world, login, compiled):
    assert settings.LANGUAGE_CODE == "zh-hans"
    response = login(world.k1.users["principal"]).get("/k/k1/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "待办事项" in page
    assert "首页" in page
    assert "To do" not in page


@pytest.mark.django_db
def test_a_chinese_browser_gets_chinese(world, login, compiled):
    response = login(world.k1.users["principal"]).get("/k/k1/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")
    assert response["Content-Language"] == "zh-hans"
    assert "待办事项" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["zh-CN,zh;q=0.9", "en"])
def test_the_language_switch_names_each_language_in_itself(world, login, compiled, accept):
    """The switch reads "简体中文" and "English" whatever the page language (never "英语")."""
    page = login(world.k1.users["principal"]).get("/k/k1/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert 'value="en" lang="en" class="btn btn-link btn-sm' in page
    assert ">English</button>" in page
    assert ">简体中文</button>" in page
    assert "英语" not in page


@pytest.mark.django_db
def test_an_english_browser_gets_english(world, login, compiled):
    response = login(world.k1.users["principal"]).get("/k/k1/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "To do" in page
    assert "待办事项" not in page


@pytest.mark.django_db
def test_the_language_cookie_wins_over_the_browser(world, login, compiled):
    client = login(world.k1.users["principal"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/k/k1/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Content-Language"] == "en"
    assert "To do" in response.content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/k/k1/", HTTP_ACCEPT_LANGUAGE="en")
    assert "待办事项" in response.content.decode()


@pytest.mark.django_db
def test_choosing_english_sets_the_cookie(world, login, compiled):
    client = login(world.k1.users["principal"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/k/k1/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "To do" in client.get("/k/k1/").content.decode()


@pytest.mark.parametrize(
    "context, msgid, chinese",
    [("duration", "Minutes", "分钟"), ("number", "Value", "数值"), ("arrival", "In", "到达"), ("arrival", "Out", "离开"),
     ("submit a hazard", "Report", "上报")],
)
def test_words_with_two_meanings_are_translated_by_context(compiled, context, msgid, chinese):
    """"Minutes" of a duration is not meeting minutes, a rule figure's "Value" is not money, a visitor's
    "In"/"Out" is not stock received/issued."""
    with translation.override("zh-hans"):
        assert translation.pgettext(context, msgid) == chinese


def test_the_gate_menu_entry_is_translated(compiled):
    with translation.override("zh-hans"):
        assert translation.gettext("Gate and pick-up") == "门岗与接送"
