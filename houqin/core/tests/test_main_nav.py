"""The main menu's markup (core.templatetags.nav.main_nav, in base.html): every entry the actor may
open, in menu order under its area, the page shown marked, the texts escaped."""

import re

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse

from houqin.core.registry import nav_for, nav_sections


def _menu(html: str) -> str:
    return html[html.index('data-testid="main-nav"'):html.index("</nav>", html.index('data-testid="main-nav"'))]


def test_the_menu_lists_the_actors_entries_by_area_and_marks_the_page_shown(world, login):
    client = login(world.k1.users["director"])
    url = reverse("org:class_list", kwargs={"kg": world.k1.kg.slug})
    response = client.get(url)
    menu = _menu(response.content.decode())
    sections = nav_sections(nav_for(response.wsgi_request.actor))
    in_order = [e["url"] for s in sections for e in s["items"]]
    assert len(in_order) > 20 and re.findall(r'<a class="nav-link[^"]*" href="([^"]+)">', menu) == in_order
    assert re.findall(r'<a class="nav-link active" href="([^"]+)">', menu) == [url]
    areas = [s["area"] for s in sections if s["label"]]
    assert re.findall(r'<div class="hq-nav-section" data-area="(\w+)">', menu) == areas
    assert all(f'id="nav-count-{area}"' in menu for area in areas)  # each area's to-do badge
    home = reverse("home", kwargs={"kg": world.k1.kg.slug})
    assert re.search(rf'href="{home}">.*?id="nav-count-all"></span></a>', menu, re.S)  # the total on home


def test_the_menu_escapes_its_texts_and_marks_nothing_off_its_pages():
    request = RequestFactory().get("/")
    request.resolver_match = resolve("/healthz")
    sections = [{"area": "stock", "label": "库房 <b>&", "items": [
        {"url_name": "stock:index", "url": '/k/x/"stock"/', "icon": "box", "label": "<script>x</script>"}]}]
    html = Template("{% load nav %}{% main_nav %}").render(Context({"request": request, "nav_sections": sections}))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "库房 &lt;b&gt;&amp;" in html
    assert 'href="/k/x/&quot;stock&quot;/"' in html
    assert "active" not in html and "nav-count-all" not in html
