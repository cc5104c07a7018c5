"""HTML pages of the canteen. Thin: parse a form, call a selector or a service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.canteen import forms as f
from houqin.canteen import selectors, services
from houqin.canteen.models import Food, MenuEntry, StockFoodLink
from houqin.canteen.rules import AREA, rules_for
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, rule_figure_post
from houqin.org.models import Grade


def _today() -> dt.date:
    return timezone.localdate()


def _month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def _last_month() -> dt.date:
    return (_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _food_by_name(kindergarten, name: str) -> Food | None:
    name = (name or "").strip()
    if not name:
        return None
    foods = Food.objects.visible_to(kindergarten).filter(name=name, is_active=True)
    return foods.order_by("-kindergarten_id", "food_code").first()


def _food_options(kindergarten) -> list[str]:
    return list(Food.objects.visible_to(kindergarten).filter(is_active=True).order_by("name_pinyin")
                .values_list("name", flat=True).distinct())


# --- menus ----------------------------------------------------------------------------------------


@policy.requires("canteen.menu.view")
def menu_list(request, kg):
    actor = request.actor
    menus = list(selectors.menu_list(actor=actor)[:60])
    monday = selectors.week_start_of(_today())
    next_monday = monday + dt.timedelta(days=7)
    form = f.MenuCreateForm(initial={"week_start": next_monday}, menus=selectors.menu_list(actor=actor))
    balance = None
    if actor.has("canteen.purchase.view"):  # the month's running meal balance on the canteen's home
        from houqin.canteen.purchasing import month_balance

        balance = month_balance(kindergarten=actor.kindergarten, today=_today())
    return render(request, "canteen/menu_list.html", {
        "menus": menus, "form": form, "this_week": monday, "can_change": actor.has("canteen.menu.change"),
        "balance": balance})


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.change")
def menu_create(request, kg):
    actor = request.actor
    form = f.MenuCreateForm(request.POST or None, menus=selectors.menu_list(actor=actor),
                            initial={"week_start": selectors.week_start_of(_today()) + dt.timedelta(days=7)})
    if request.method == "POST" and form.is_valid():
        try:
            menu = services.menu_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The menu has been created."))
            return redirect("canteen:menu_detail", kg=kg, code=menu.code)
    return render(request, "canteen/form.html", {"form": form, "title": _("New weekly menu")})


def _menu_context(request, menu, *, with_warnings=True, substitute_edit=False):
    """The menu, its entries, grid, analysis and warnings; with `substitute_edit` (the menu page of a
    reader who chooses substitutes) also the substitute editor, the allergy register read once for
    both the warnings and the editor."""
    from houqin.canteen import substitutes

    actor = request.actor
    settings = selectors.settings_for(actor.kindergarten)
    entries = selectors.menu_entries(menu)
    allergy = substitutes.menu_data(menu, entries, actor=actor) if substitute_edit else None
    context = {
        "menu": menu, "entries": entries, "grid": selectors.menu_grid(menu, entries, settings.meal_list),
        "dates": [menu.week_start + dt.timedelta(days=d) for d in range(menu.days)], "settings": settings,
        "warnings": selectors.menu_warnings(menu, entries, actor=actor, allergy=allergy, settings=settings)
        if with_warnings else [],
        "analysis": selectors.menu_analysis(menu, entries=entries, settings=settings) if entries else None,
    }
    if substitute_edit:
        context["substitute_edit"] = _substitute_edit(actor, menu, entries, allergy)
    return context


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.view")
def menu_detail(request, kg, code):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code)
    context = _menu_context(request, menu, substitute_edit=actor.has("canteen.substitute.change"))
    can_change = actor.has("canteen.menu.change") and (not menu.is_published or actor.has("canteen.menu.publish"))
    form = None
    if can_change:
        form = f.EntryForm(request.POST or None, menu=menu, dishes=selectors.dish_list(actor=actor, ingredients=False),
                           meals=context["settings"].meal_list, meetings=selectors.meeting_list(actor=actor)
                           if actor.has("canteen.committee.view") else selectors.meeting_list(actor=actor).none())
        if request.method == "POST":
            if not policy.can(actor, "canteen.menu.change", menu):
                raise Http404
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.entry_add(actor=actor, menu=menu, day=data["day"], meal=data["meal"], dish=data["dish"],
                                       factor=data["factor"], reason=data.get("reason", ""),
                                       meeting=data.get("meeting"))
                except DomainError as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("%(dish)s has been added.") % {"dish": data["dish"]})
                    return redirect("canteen:menu_detail", kg=kg, code=menu.code)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "canteen/menu_detail.html", {
        **context, "form": form, "can_change": can_change, "can_publish": actor.has("canteen.menu.publish"),
        "revisions": menu.revisions.select_related("created_by", "meeting"),
        "can_see_substitutes": actor.has("canteen.allergy.view"),
        "purchase": _purchase_of(actor, menu),
    })


def _purchase_of(actor, menu) -> dict | None:
    """The menu's purchase plan, or whether one can be made (a published menu)."""
    if not actor.has("canteen.purchase.view") or not menu.is_published:
        return None
    from houqin.canteen.purchasing import plan_for_menu

    return {"plan": plan_for_menu(menu), "can_make": actor.has("canteen.purchase.change")}


def _substitute_edit(actor, menu, entries, allergy=None) -> list[dict]:
    """The entries some child must avoid, each with its tags, the chosen substitute and the dishes of the
    library that do not carry the tag. `allergy`: substitutes.menu_data, when read already."""
    from houqin.canteen import substitutes

    needed = substitutes.edit_data(menu, entries, data=allergy)
    if not needed:
        return []
    library = list(selectors.dish_list(actor=actor, ingredients=False))
    tags = substitutes.dishes_tags(d.pk for d in library)
    dishes = [(d, tags[d.pk]) for d in library]
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    out = []
    for e in entries:
        if e.pk in needed:
            out.append({"entry": e, "day": weekdays[e.day], "needs": [
                {**n, "options": [d for d, tags in dishes if n["tag"] not in tags and d.pk != e.dish_id]}
                for n in needed[e.pk]]})
    return out


@require_POST
@policy.requires("canteen.menu.change")
def entry_remove(request, kg, code, entry):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.menu.change")
    item = MenuEntry.objects.filter(menu=menu, code=entry).first()
    if item is None:
        raise Http404
    try:
        services.entry_remove(actor=actor, entry=item, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(dish)s has been removed.") % {"dish": item.dish_name})
    return redirect("canteen:menu_detail", kg=kg, code=menu.code)


@require_POST
@policy.requires("canteen.menu.publish")
def menu_publish(request, kg, code):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.menu.publish")
    try:
        services.menu_publish(actor=actor, menu=menu)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The menu has been published to parents."))
    return redirect("canteen:menu_detail", kg=kg, code=menu.code)


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.publish")
def menu_void(request, kg, code):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.menu.publish")
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.menu_void(actor=actor, menu=menu, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The menu has been voided."))
            return redirect("canteen:menu_list", kg=kg)
    return render(request, "canteen/form.html", {"form": form, "title": _("Void the menu of %(week)s") % {
        "week": menu.week_start}, "danger": True})


@policy.requires("canteen.menu.view")
def menu_analysis(request, kg, code):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code)
    grade = request.GET.get("grade") if request.GET.get("grade") in Grade.values else Grade.MIDDLE
    entries = selectors.menu_entries(menu)
    analysis = selectors.menu_analysis(menu, grade=grade, entries=entries) if entries else None
    return render(request, "canteen/analysis.html", {
        "menu": menu, "analysis": analysis, "grade": grade, "grades": Grade.choices,
        "settings": selectors.settings_for(actor.kindergarten)})


@policy.requires("canteen.menu.published")
def menu_pdf(request, kg, code):
    from houqin.canteen.pdf import menu_pdf as render_pdf

    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.menu.published",
                              published_only=not actor.has("canteen.menu.view"))
    content = render_pdf(menu)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="menu-{menu.week_start:%Y-%m-%d}.pdf"'
    return response


@policy.requires("canteen.menu.published")
def published_list(request, kg):
    actor = request.actor
    menus = list(selectors.menu_list(actor=actor, published_only=True, capability="canteen.menu.published")[:30])
    current = next((m for m in menus if m.week_start <= _today() < m.week_start + dt.timedelta(days=7)), None)
    return render(request, "canteen/published_list.html", {"menus": menus, "current": current})


@policy.requires("canteen.menu.published")
def published_detail(request, kg, code):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.menu.published", published_only=True)
    context = _menu_context(request, menu, with_warnings=False)
    return render(request, "canteen/published_detail.html", {**context, "by_day": _by_day(context)})


def _by_day(context) -> list[dict]:
    """The grid turned a quarter: one card a day with its meals, so that the week reads on a phone."""
    days = []
    for i, date in enumerate(context["dates"]):
        meals = [{"label": row["label"], "entries": row["days"][i]} for row in context["grid"] if row["days"][i]]
        days.append({"date": date, "meals": meals})
    return days


@policy.requires("canteen.menu.published")
def this_week(request, kg):
    """本周食谱: the published menu of the current week (on Saturday and Sunday, the coming week's when
    it is out); when it is not, the page says so and which week is not published yet."""
    actor = request.actor
    today = _today()
    monday = today - dt.timedelta(days=today.weekday())
    next_monday = monday + dt.timedelta(days=7)
    menus = {m.week_start: m for m in selectors.menu_list(actor=actor, published_only=True,
                                                          capability="canteen.menu.published")
             .filter(week_start__in=[monday, next_monday])}
    weekend = today.weekday() >= 5
    menu = menus.get(next_monday) if weekend and next_monday in menus else menus.get(monday)
    context = {"today": today, "monday": monday, "next_monday": next_monday,
               "next_menu": menus.get(next_monday) if menu is not menus.get(next_monday) else None,
               "next_missing": next_monday not in menus and today.weekday() >= 3}
    if menu is None:
        return render(request, "canteen/this_week.html", context)
    context.update(_menu_context(request, menu, with_warnings=False))
    context["by_day"] = _by_day(context)
    return render(request, "canteen/published_detail.html", context)


# --- dishes and foods -----------------------------------------------------------------------------


@policy.requires("canteen.menu.view")
def dish_list(request, kg):
    actor = request.actor
    q = request.GET.get("q", "").strip()[:20]
    return render(request, "canteen/dish_list.html", {
        "dishes": selectors.dish_list(actor=actor, q=q, include_inactive=True), "q": q,
        "can_change": actor.has("canteen.menu.change")})


def _dish_form_page(request, kg, dish=None):
    actor = request.actor
    initial = {}
    if dish is not None:
        initial = {"name": dish.name, "category": dish.category, "notes": dish.notes}
        for i, ing in enumerate(dish.ingredients.select_related("food")[: f.INGREDIENT_ROWS]):
            initial[f"food_{i}"], initial[f"grams_{i}"] = ing.food.name, ing.grams_raw
    form = f.DishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ingredients, unknown = [], False
        for i in range(f.INGREDIENT_ROWS):
            name, grams = data[f"food_{i}"], data[f"grams_{i}"]
            if not name and not grams:
                continue
            food = _food_by_name(actor.kindergarten, name)
            if food is None:
                form.add_error(f"food_{i}", _("No food of this name: choose one from the list."))
                unknown = True
                continue
            ingredients.append({"food": food, "grams_raw": grams, "field": f"grams_{i}"})
        if not unknown:
            try:
                saved = services.dish_save(actor=actor, name=data["name"], category=data["category"],
                                           notes=data["notes"], ingredients=ingredients, dish=dish)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("%(dish)s has been saved.") % {"dish": saved})
                return redirect("canteen:dish_list", kg=kg)
    return render(request, "canteen/dish_form.html", {
        "form": form, "dish": dish, "food_options": _food_options(actor.kindergarten),
        "title": _("Edit %(dish)s") % {"dish": dish} if dish else _("New dish")})


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.change")
def dish_create(request, kg):
    return _dish_form_page(request, kg)


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.change")
def dish_edit(request, kg, code):
    return _dish_form_page(request, kg, selectors.get_dish(actor=request.actor, code=code,
                                                           capability="canteen.menu.change"))


@policy.requires("canteen.menu.view")
def food_list(request, kg):
    actor = request.actor
    q = request.GET.get("q", "").strip()[:20]
    foods = selectors.food_search(kindergarten=actor.kindergarten, q=q, own_only=not q)
    template = "canteen/_food_rows.html" if request.headers.get("HX-Request") else "canteen/food_list.html"
    return render(request, template, {"foods": foods, "q": q, "can_change": actor.has("canteen.menu.change")})


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.change")
def food_create(request, kg):
    form = f.FoodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            food = services.food_create(actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(food)s has been added.") % {"food": food})
            return redirect(reverse("canteen:food_list", kwargs={"kg": kg}) + f"?q={food.name}")
    return render(request, "canteen/form.html", {"form": form, "title": _("New food of the kindergarten")})


# --- diet survey and committee --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.view")
def survey(request, kg):
    actor = request.actor
    month = _month(request.GET.get("month")) or _last_month()
    form = f.SurveyForm(request.POST or None, initial={"month": f"{month:%Y-%m}"})
    if request.method == "POST":
        if not actor.has("canteen.menu.change"):
            raise Http404
        if form.is_valid():
            try:
                saved = services.survey_save(actor=actor, month=form.cleaned_data["month"],
                                             conclusion=form.cleaned_data["conclusion"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The diet survey of %(month)s has been saved.") % {
                    "month": f"{saved.month:%Y-%m}"})
                return redirect(reverse("canteen:survey", kwargs={"kg": kg}) + f"?month={saved.month:%Y-%m}")
    data = selectors.survey_compute(kindergarten=actor.kindergarten, month=month)
    return render(request, "canteen/survey.html", {
        "data": data, "analysis": data["analysis"], "month": month, "form": form,
        "surveys": selectors.survey_list(actor=actor)[:24], "can_change": actor.has("canteen.menu.change")})


@policy.requires("canteen.committee.view")
def committee_list(request, kg):
    actor = request.actor
    from houqin.foodsafety.production import committee_dishes_before

    return render(request, "canteen/committee_list.html", {
        "meetings": selectors.meeting_list(actor=actor)[:50], "can_change": actor.has("canteen.committee.change"),
        "left": committee_dishes_before(actor=actor, day=_today())})


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.committee.change")
def committee_create(request, kg):
    actor = request.actor
    form = f.MeetingForm(request.POST or None, surveys=selectors.survey_list(actor=actor), initial={"held_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been recorded."))
            return redirect("canteen:committee_list", kg=kg)
    return render(request, "canteen/form.html", {"form": form, "title": _("New meal committee meeting")})


@policy.requires("canteen.committee.view")
def committee_detail(request, kg, code):
    from houqin.foodsafety.production import committee_dishes_before

    meeting = selectors.get_meeting(actor=request.actor, code=code)
    return render(request, "canteen/committee_detail.html", {
        "meeting": meeting, "revisions": meeting.menu_revisions.select_related("menu", "created_by"),
        "left": committee_dishes_before(actor=request.actor, day=meeting.held_on)})


# --- meal account ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.account.view")
def account_list(request, kg):
    actor = request.actor
    form = f.MonthForm(request.POST or None, initial={"month": f"{_last_month():%Y-%m}"})
    if request.method == "POST":
        if not actor.has("canteen.account.change"):
            raise Http404
        if form.is_valid():
            try:
                account = services.account_prepare(actor=actor, month=form.cleaned_data["month"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The meal account of %(month)s has been computed.") % {
                    "month": f"{account.month:%Y-%m}"})
                return redirect("canteen:account_detail", kg=kg, month=f"{account.month:%Y-%m}")
    return render(request, "canteen/account_list.html", {
        "accounts": selectors.account_list(actor=actor)[:36], "form": form,
        "can_change": actor.has("canteen.account.change")})


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.account.view")
def account_detail(request, kg, month):
    actor = request.actor
    day = _month(month)
    account = selectors.get_account(actor=actor, month=day) if day else None
    if account is None:
        raise Http404
    form = f.AccountPublishForm(request.POST or None, initial={"note": account.note})
    if request.method == "POST":
        if not policy.can(actor, "canteen.account.change", account):
            raise Http404
        if form.is_valid():
            try:
                if "recompute" in request.POST:
                    services.account_prepare(actor=actor, month=account.month, note=form.cleaned_data["note"])
                    messages.success(request, _("Recomputed."))
                else:
                    services.account_publish(actor=actor, account=account, note=form.cleaned_data["note"])
                    messages.success(request, _("The meal account has been published to parents."))
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                return redirect("canteen:account_detail", kg=kg, month=month)
    return render(request, "canteen/account_detail.html", _account_context(account, actor) | {
        "form": form, "can_change": actor.has("canteen.account.change") and not account.is_published})


def _account_context(account, actor) -> dict:
    from houqin.stock.models import Category

    labels = dict(Category.choices)
    rules = rules_for(actor.kindergarten)
    return {"account": account, "limit": rules.figure("account.balance_limit_pct"),
            "publish_day": rules.figure("account.publish_day"),
            "categories": [(labels.get(k, k), v) for k, v in account.by_category.items()]}


@policy.requires("canteen.account.published")
def account_published(request, kg):
    actor = request.actor
    accounts = list(selectors.account_list(actor=actor, published_only=True,
                                           capability="canteen.account.published")[:24])
    latest = accounts[0] if accounts else None
    return render(request, "canteen/account_published.html", {
        "accounts": accounts, **(_account_context(latest, actor) if latest else {"account": None})})


@policy.requires("canteen.account.published")
def account_pdf(request, kg, month):
    from houqin.canteen.pdf import account_pdf as render_pdf

    actor = request.actor
    day = _month(month)
    account = selectors.get_account(actor=actor, month=day, capability="canteen.account.published",
                                    published_only=not actor.has("canteen.account.view")) if day else None
    if account is None:
        raise Http404
    response = HttpResponse(render_pdf(account, actor), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meal-account-{month}.pdf"'
    return response


# --- settings, rules, stock links -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.settings.change")
def settings_page(request, kg):
    actor = request.actor
    current = selectors.settings_for(actor.kindergarten)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    initial["meals"] = current.meal_list
    form = f.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("canteen:settings", kg=kg)
    fee, fee_source = selectors.meal_fee(kindergarten=actor.kindergarten, month=_today(), settings=current)
    return render(request, "canteen/settings.html", {"form": form, "fee": fee, "fee_source": fee_source})


@policy.requires("canteen.menu.view")
def rules_page(request, kg):
    actor = request.actor
    rules = rules_for(actor.kindergarten)
    return render(request, "canteen/rules.html", {
        "figures": list(rules.figures.values()), "can_change": actor.has("canteen.settings.change"),
        "post": reverse("canteen:rules", kwargs={"kg": kg})})


@require_POST
@policy.requires("canteen.settings.change")
def rule_set(request, kg, key):
    return rule_figure_post(request, area=AREA, key=key, back=reverse("canteen:rules", kwargs={"kg": kg}))


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.settings.change")
def stock_links(request, kg):
    from houqin.stock.models import Item

    actor = request.actor
    items = list(Item.objects.filter(kindergarten=actor.kindergarten, is_food=True, is_active=True)
                 .order_by("category", "name_pinyin"))
    links = {lk.item_id: lk for lk in StockFoodLink.objects.filter(kindergarten=actor.kindergarten)
             .select_related("food")}
    if request.method == "POST":
        item = next((i for i in items if str(i.code) == request.POST.get("item")), None)
        if item is None:
            raise Http404
        form = f.LinkForm(request.POST)
        food = _food_by_name(actor.kindergarten, request.POST.get("food", ""))
        try:
            if not form.is_valid() or food is None:
                raise DomainError(_("Choose a food from the list and enter the grams per unit."))
            services.stock_link_set(actor=actor, item=item, food=food,
                                    grams_per_unit=form.cleaned_data["grams_per_unit"])
        except DomainError as exc:
            messages.error(request, f"{item}: {exc.message}")
        else:
            messages.success(request, _("%(item)s is now counted as %(food)s.") % {"item": item, "food": food})
        return redirect("canteen:stock_links", kg=kg)
    return render(request, "canteen/stock_links.html", {
        "rows": [(item, links.get(item.pk)) for item in items], "food_options": _food_options(actor.kindergarten)})


