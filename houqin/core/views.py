"""The shell: health check, sign-in, choosing a kindergarten, and each role's home page."""

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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


@policy.requires("home.view")
def home(request, kg):
    actor = request.actor
    todos = todos_for(actor)
    context = {"todos": todos, "kindergarten": actor.kindergarten, "my_children": [], "my_classes": []}
    scope = actor.widest_scope("org.child.view")
    if scope == policy.Scope.CHILD:  # a parent: their own children first
        from houqin.org.selectors import child_list

        context["my_children"] = child_list(actor=actor)
    elif scope == policy.Scope.CLASS:  # class teacher, nursery staff: their classes
        from houqin.org.selectors import class_list

        context["my_classes"] = class_list(actor=actor)
    return render(request, "core/home.html", context)


@policy.requires(policy.PUBLIC)
def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
