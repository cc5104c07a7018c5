from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

TABS = [
    ("Menus", "canteen:menu_list", "canteen.menu.view"),
    ("This week's menu", "canteen:this_week", "canteen.menu.published"),
    ("Menu of the week", "canteen:published_list", "canteen.menu.published"),
    ("Menu optimizer", "canteen:optimizer", "canteen.menu.change"),
    ("Dishes", "canteen:dish_list", "canteen.menu.view"),
    ("Foods", "canteen:food_list", "canteen.menu.view"),
    ("Diet survey", "canteen:survey", "canteen.menu.view"),
    ("Meal committee", "canteen:committee_list", "canteen.committee.view"),
    ("Purchase plans", "canteen:purchase_list", "canteen.purchase.view"),
    ("Meal account", "canteen:account_list", "canteen.account.view"),
    ("Meal accounts", "canteen:account_published", "canteen.account.published"),
    ("Rule figures", "canteen:rules", "canteen.menu.view"),
    ("Settings", "canteen:settings", "canteen.settings.change"),
]


@register.inclusion_tag("canteen/_tabs.html", takes_context=True)
def canteen_tabs(context):
    request = context["request"]
    actor = getattr(request, "actor", None)
    if actor is None or actor.kindergarten is None:
        return {"links": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    links = []
    labels = {"Menus": _("Menus"), "This week's menu": _("This week's menu"), "Menu of the week": _("Menu of the week"), "Dishes": _("Dishes"),
              "Menu optimizer": _("Menu optimizer"),
              "Foods": _("Foods"), "Diet survey": _("Diet survey"), "Meal committee": _("Meal committee"),
              "Meal account": _("Meal account"), "Meal accounts": _("Meal accounts"),
              "Rule figures": _("Rule figures"), "Settings": _("Settings"), "Purchase plans": _("Purchase plans")}
    has_view = actor.has("canteen.menu.view")
    for label, name, cap in TABS:
        if not actor.has(cap):
            continue
        if name == "canteen:account_published" and actor.has("canteen.account.view"):
            continue  # staff who keep the account see it there
        if name in ("canteen:published_list", "canteen:this_week") and has_view:
            continue
        links.append({"label": labels[label], "url": reverse(name, kwargs={"kg": actor.kindergarten.slug}),
                      "active": current == name})
    return {"links": links if len(links) > 1 else []}


@register.filter
def num(value, decimals=0):
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):,.{int(decimals)}f}"
    except (TypeError, ValueError):
        return value


@register.filter
def bar(value, limit=150):
    """A bar width (%) for a chart, capped."""
    try:
        return max(0, min(float(value or 0), float(limit))) * 100 / float(limit)
    except (TypeError, ValueError):
        return 0


@register.inclusion_tag("canteen/_status.html")
def status_badge(status):
    return {"status": status}


@register.filter
def cell(days, index):
    return days[index]


@register.simple_tag
def nutrition_chart(analysis) -> dict:
    """The nutrition analysis as the chart draws it (canteen/nutrition_chart.js): each nutrient with a
    reference intake as its share of it (%), the kindergarten's target share and the reference (100 %);
    every word translated here, on the server."""
    from houqin.canteen.nutrition import LOW

    rows = [n for n in analysis.nutrients if n.pct_of_dri is not None]
    return {
        "names": [f"{n.label}（{n.unit}）" for n in rows],
        "values": [round(n.pct_of_dri, 1) for n in rows],
        "intakes": [f"{round(n.intake, n.decimals):g} / {round(n.dri, n.decimals):g} {n.unit}" for n in rows],
        "target": analysis.share_pct,
        "series_name": _("Share of the reference intake"),
        "target_name": _("Our target (%(pct)s %%)") % {"pct": f"{analysis.share_pct:g}"},
        "reference_name": _("Reference intake (100 %)"),
        "y_name": _("% of the reference intake"),
        "below": [n.status == LOW for n in rows],
    }


@register.simple_tag(takes_context=True)
def dish_options(context, dishes, selected_name):
    """The <option>s of a dish select: each dish's code and name, escaped, selected when its name is
    `selected_name` (the markup of the template loop it replaces: a template per option cost the menu
    page a thousand renders, twenty substitute selects of the whole library). Each dish is escaped
    once a page render, whatever the number of selects it is in."""
    escaped = context.render_context.setdefault("dish_options", {})
    options = []
    for d in dishes:
        code, name = escaped.get(d.code) or escaped.setdefault(d.code, (conditional_escape(d.code),
                                                                       conditional_escape(d.name)))
        options.append(f'<option value="{code}" selected>{name}</option>' if d.name == selected_name
                       else f'<option value="{code}">{name}</option>')
    return mark_safe("".join(options))
