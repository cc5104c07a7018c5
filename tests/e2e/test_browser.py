"""Browser tests: Playwright drives Debian's chromium against the live server, on a phone screen.

The interface language is zh-hans and its catalogue may not be compiled, so the tests assert on
addresses, data-testid hooks, HTTP statuses and data (names of kindergartens, classes and
children), never on the wording of labels.
"""

import datetime as dt
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/hq-shot-home.png"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _nav_paths(nav) -> list[str]:
    return nav.locator("a").evaluate_all("links => links.map(a => new URL(a.href).pathname)")


# --- 1. each role signs in on a phone and gets its own menu -------------------------------------

K1_ALL = {
    "home": "/k/k1/", "classes": "/k/k1/classes/", "children": "/k/k1/children/",
    "staff": "/k/k1/staff/", "roster": "/k/k1/roster/", "audit": "/k/k1/audit/",
}
ROLE_MENUS = {
    # username: entries that must be in the menu; every other entry of K1_ALL must not be
    "principal": {"home", "classes", "children", "staff", "roster", "audit"},
    "teacher": {"home", "classes", "children"},
    "guard": {"home", "classes", "children"},
    "parent": {"home", "children"},
}


@pytest.mark.parametrize("username", list(ROLE_MENUS))
def test_each_role_signs_in_on_a_phone_and_sees_its_own_menu(world, page, live_server, sign_in, open_menu, username):
    landed = sign_in(username, expect_status=302)
    assert landed == "/k/k1/"
    expect(page.locator("h1")).to_contain_text("阳光幼儿园")

    if username == "principal":
        page.screenshot(path=SCREENSHOT, full_page=True)

    paths = _nav_paths(open_menu())
    allowed = {K1_ALL[k] for k in ROLE_MENUS[username]}
    forbidden = {v for k, v in K1_ALL.items() if k not in ROLE_MENUS[username]}
    assert allowed <= set(paths), f"{username} misses menu entries: {allowed - set(paths)}"
    assert not forbidden & set(paths), f"{username} sees entries they may not use: {forbidden & set(paths)}"
    assert all(p.startswith("/k/k1/") for p in paths), f"menu leaves the kindergarten: {paths}"

    # every entry the menu offers opens; the ones it hides are refused
    for path in paths:
        assert page.request.get(live_server.url + path).status == 200, f"{username}: {path} in the menu but not allowed"
    for path in forbidden:
        assert page.request.get(live_server.url + path).status in (403, 404), f"{username} can open {path}"

    # the menu works as a menu: following an entry lands on it
    page.get_by_test_id("main-nav").locator(f"a[href='{K1_ALL['children']}']").click()
    page.wait_for_url(re.compile(r"/k/k1/children/$"))
    expect(page.get_by_test_id("child-table")).to_be_visible()


def test_district_supervisor_lands_on_the_district_and_sees_only_its_kindergartens(world, page, live_server, sign_in):
    landed = sign_in("district", expect_status=302)
    assert landed == "/d/chengnan/"
    table = page.get_by_test_id("district-table")
    expect(table).to_contain_text("阳光幼儿园")
    expect(table).to_contain_text("彩虹幼儿园")
    expect(table).not_to_contain_text("星星幼儿园")
    # figures only: no way into a kindergarten's child records
    assert page.locator("a[href^='/k/']").count() == 0
    for path in ("/k/k1/", "/k/k1/children/", "/k/k3/", "/d/chengbei/"):
        assert page.request.get(live_server.url + path).status in (403, 404), f"supervisor can open {path}"


# --- 2. lockout ----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(world, page, live_server, sign_in):
    for attempt in range(1, 5):
        assert sign_in("principal", "wrong-password", expect_status=200) == "/login/", attempt
        expect(page.get_by_role("alert")).to_be_visible()
    sign_in("principal", "wrong-password", expect_status=429)  # the fifth failure locks

    landed = sign_in("principal", expect_status=429)  # the right password is refused now
    assert landed == "/login/"
    expect(page.get_by_role("alert")).to_contain_text("15")  # "… try again in 15 minutes"
    expect(page.locator("#id_password")).to_have_count(0)  # no form while locked
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert page.request.get(live_server.url + "/k/k1/", max_redirects=0).status == 302  # still signed out

    # the lock is per name and address: a colleague on the same network still gets in
    page.context.clear_cookies()
    assert sign_in("teacher", expect_status=302) == "/k/k1/"


# --- 3. roster import ----------------------------------------------------------------------------

ROSTER_HEADERS = ["姓名", "性别", "出生日期", "班级", "入园日期", "身份证号", "监护人1姓名", "监护人1关系", "监护人1电话"]


def _id_number(birth: dt.date, seq: int) -> str:
    """A resident identity-card number with a valid GB 11643 check digit."""
    body = f"110105{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _roster_row(name, school_class, seq, sex="女"):
    birth = dt.date(2022, 3, 1) + dt.timedelta(days=seq * 17)
    return [name, sex, birth, school_class, dt.date(2025, 9, 1), _id_number(birth, seq), f"{name[0]}妈妈",
            "母亲", f"1391234{seq:04d}"]


def _xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "幼儿名册"
    ws.append(ROSTER_HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _upload(page, live_server, path, expect_status):
    page.goto(live_server.url + "/k/k1/roster/")
    page.locator("select[name=kind]").select_option("children")
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    with page.expect_response(lambda r: "/roster/import/" in r.url and r.request.method == "POST") as info:
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    assert info.value.status == expect_status, f"import answered HTTP {info.value.status}"
    page.wait_for_load_state()


def test_principal_imports_a_children_roster_and_a_bad_file_is_rejected_whole(world, page, live_server, sign_in,
                                                                            tmp_path):
    sign_in("principal", expect_status=302)

    good = _xlsx(tmp_path / "good.xlsx", [
        _roster_row("导入甲", "小一班", 1),
        _roster_row("导入乙", "小一班", 2, sex="男"),
        _roster_row("导入丙", "中一班", 3),
    ])
    _upload(page, live_server, good, expect_status=200)
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("3")  # three new children
    expect(page.get_by_test_id("import-errors")).to_have_count(0)

    page.goto(live_server.url + "/k/k1/children/")
    table = page.get_by_test_id("child-table")
    for name in ("导入甲", "导入乙", "导入丙"):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()

    # one good row, one row naming a class the kindergarten does not have: nothing is imported
    bad = _xlsx(tmp_path / "bad.xlsx", [
        _roster_row("导入丁", "小一班", 4),
        _roster_row("导入戊", "火星班", 5),
    ])
    _upload(page, live_server, bad, expect_status=422)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    error_rows = errors.locator("tbody tr")
    assert error_rows.count() >= 1
    assert "3" in [error_rows.nth(i).locator("td").first.inner_text().strip() for i in range(error_rows.count())], \
        "the error list names spreadsheet row 3 (header is row 1)"
    expect(errors).to_contain_text("火星班")

    page.goto(live_server.url + "/k/k1/children/")
    table = page.get_by_test_id("child-table")
    expect(table.get_by_role("link", name="导入丙", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="导入丁", exact=True)).to_have_count(0)  # all or nothing


# --- 4. enrolling a child on a phone -------------------------------------------------------------


def test_principal_enrols_a_child_on_a_phone_and_sees_its_page_and_history(world, page, live_server, sign_in, open_menu):
    sign_in("principal", expect_status=302)
    open_menu().locator("a[href='/k/k1/children/']").click()
    page.wait_for_url(re.compile(r"/k/k1/children/$"))
    page.locator("a[href='/k/k1/children/new/']").click()
    page.wait_for_url(re.compile(r"/k/k1/children/new/$"))

    birth = dt.date(2022, 6, 18)
    id_number = _id_number(birth, 7)
    page.locator("#id_name").fill("李小萌")
    page.locator("input[name=sex][value=F]").check()
    page.locator("#id_birth_date").fill(birth.isoformat())
    page.locator("#id_school_class").select_option(label="小一班")
    expect(page.locator("#id_enrolled_on")).not_to_have_value("")  # today, filled in for them
    page.locator("#id_id_number").fill(id_number)
    with page.expect_response(lambda r: r.url.endswith("/children/new/") and r.request.method == "POST") as info:
        page.locator("form.hq-card button[type=submit]").click()
    assert info.value.status == 302, f"enrolment answered HTTP {info.value.status}"
    page.wait_for_url(re.compile(rf"/k/k1/children/{UUID}/$"))

    expect(page.locator("h1")).to_contain_text("李小萌")
    expect(page.get_by_role("alert")).to_contain_text("李小萌")  # "… has been enrolled."
    expect(page.locator("main")).to_contain_text("小一班")
    expect(page.get_by_test_id("id-number")).to_have_text(id_number)  # the principal may see it
    history = page.get_by_test_id("history")
    expect(history).to_be_visible()
    history.locator("summary").click()
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(1)  # the creation
    expect(rows.first).to_contain_text("principal")  # by whom

    # and the child is in the list
    page.goto(live_server.url + "/k/k1/children/")
    expect(page.get_by_test_id("child-table").get_by_role("link", name="李小萌", exact=True)).to_be_visible()


# --- 5. the Content Security Policy blocks nothing of ours ---------------------------------------


def test_pages_load_under_the_content_security_policy(world, page, live_server, sign_in, console):
    """The autouse `console` fixture fails the test on any CSP report; here the principal walks
    through every page, including an htmx search, so their scripts and styles all get exercised."""
    response = page.goto(live_server.url + "/login/")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self' 'nonce-" in csp, f"no CSP with a nonce: {csp!r}"
    assert "unsafe-inline" not in csp

    sign_in("principal", expect_status=302)
    child = world.k1.own_child
    for path in ["/k/k1/", "/k/k1/classes/", f"/k/k1/classes/{world.k1.own_class.code}/", "/k/k1/children/",
                 f"/k/k1/children/{child.code}/", f"/k/k1/children/{child.code}/edit/", "/k/k1/children/new/",
                 "/k/k1/staff/", "/k/k1/staff/new/", "/k/k1/roster/", "/k/k1/audit/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        page.wait_for_load_state("load")

    # htmx (a script under the CSP) swaps the filtered rows in as one types
    page.goto(live_server.url + "/k/k1/children/")
    with page.expect_response(lambda r: "/k/k1/children/?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#q").fill("中一班幼儿1")
    rows = page.get_by_test_id("child-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("中一班幼儿1")

    assert console.csp_violations() == [], console.csp_violations()


def test_the_console_watch_does_see_csp_violations(page, live_server, console):
    """Control for the test above: an image from another origin is blocked and reported."""
    page.goto(live_server.url + "/login/")
    console.expect_csp_violation = True
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("() => { const i = new Image(); i.src = 'https://example.invalid/x.png'; document.body.append(i); }")
    assert console.csp_violations()
