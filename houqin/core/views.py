"""The shell: health check, sign-in, choosing a kindergarten, and each role's home page."""

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from houqin import policy
from houqin.core.registry import todos_for
from houqin.core.selectors import destinations_for


@require_GET
@never_cache
@policy.requires(policy.PUBLIC)
def healthz(request):
    """Bare health check: the process answers and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    """400 for a request that could not be read (an upload without its multipart boundary…), in
    the user's language, instead of Django's bare English page."""
    from houqin.core.files import unreadable_request_message

    return render(request, "400.html", {"message": unreadable_request_message()}, status=400)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


login_view = policy.requires(policy.PUBLIC)(LoginView.as_view())
logout_view = policy.requires(policy.PUBLIC)(auth_views.LogoutView.as_view())


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes answers after too many failures (the same for known and unknown names)."""
    return render(
        request,
        "core/login.html",
        {"locked_out": True, "form": None, "error": _("Too many failed attempts. Try again in 15 minutes.")},
        status=429,
    )


@policy.requires(policy.AUTHENTICATED)
def root(request):
    """Send the user to their only kindergarten or district; let them choose when they have several."""
    destinations = destinations_for(request.user)
    if len(destinations) == 1:
        return redirect(destinations[0]["url"])
    return render(request, "core/choose.html", {"destinations": destinations})


URGENCY_GROUPS = (
    (3, "urgent", gettext_lazy("Urgent: overdue or missing")),
    (2, "soon", gettext_lazy("Soon: expiring or due in the coming days")),
    (1, "waiting", gettext_lazy("Waiting for you")),
)
TODO_COUNTS_SECONDS = 60  # the menu's counts may lag the records by this much
OPEN_ALL_UP_TO = 10  # a short list shows every group open; a long one folds what is not for today or overdue
TILES_OPEN_UP_TO = 12  # the home page's shortcut tiles: folded under one heading beyond this many


def _level(todo) -> int:
    return todo.urgency if todo.urgency in (1, 2, 3) else 1


def todo_groups(todos, today=None) -> list[dict]:
    """The to-dos in the order a phone should show them: what is due today first (most urgent
    first), then the rest by urgency (each group keeps the providers' order by due date). The
    groups for today and the urgent ones are open; the others fold when the list is long."""
    today = today or timezone.localdate()
    due_today = [t for t in todos if t.due == today]
    due_today.sort(key=lambda t: -_level(t))
    rest = [t for t in todos if t.due != today]
    groups = []
    if due_today:
        groups.append({"key": "today", "label": _("Today"), "todos": due_today, "open": True})
    for level, key, label in URGENCY_GROUPS:
        items = [t for t in rest if _level(t) == level]
        if items:
            groups.append({"key": key, "label": label, "todos": items,
                           "open": key == "urgent" or len(todos) <= OPEN_ALL_UP_TO})
    return groups


def _areas(todos) -> dict[str, dict]:
    counts: dict[str, dict] = {}
    for todo in todos:
        entry = counts.setdefault(todo.area or "", {"n": 0, "urgent": 0})
        entry["n"] += 1
        entry["urgent"] += todo.urgency >= 3
    return counts


@policy.requires("home.view")
def home(request, kg):
    actor = request.actor
    todos = todos_for(actor)
    cache.set(_counts_key(actor), _areas(todos), TODO_COUNTS_SECONDS)
    context = {"todos": todos, "todo_groups": todo_groups(todos), "kindergarten": actor.kindergarten,
               "my_children": [], "my_classes": [], "tiles_open_up_to": TILES_OPEN_UP_TO}
    scope = actor.widest_scope("org.child.view")
    if scope == policy.Scope.CHILD:  # a parent: their own children first
        from houqin.org.selectors import child_list

        context["my_children"] = child_list(actor=actor)
    elif scope == policy.Scope.CLASS:  # class teacher, nursery staff: their classes
        from houqin.org.selectors import class_list

        context["my_classes"] = class_list(actor=actor)
    return render(request, "core/home.html", context)


def _counts_key(actor) -> str:
    return f"hq:todo-counts:{actor.user.pk}:{actor.kindergarten.pk}"


@require_GET
@policy.requires("home.view")
def todo_counts(request, kg):
    """The menu's to-do counts per area, loaded by htmx after the page (out-of-band swaps into the
    menu's badges), so that no page pays for every area's to-do queries. Cached for a minute."""
    actor = request.actor
    areas = cache.get(_counts_key(actor))
    if areas is None:
        areas = _areas(todos_for(actor))
        cache.set(_counts_key(actor), areas, TODO_COUNTS_SECONDS)
    total = sum(a["n"] for a in areas.values())
    return render(request, "core/_todo_counts.html", {
        "areas": [{"area": area, **v} for area, v in areas.items() if area], "total": total,
        "urgent": sum(a["urgent"] for a in areas.values()),
    })


@policy.requires(policy.PUBLIC)
def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
