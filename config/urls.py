from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from houqin import policy
from houqin.core import account
from houqin.core import views as core_views
from houqin.core.api import api

admin.site.site_header = "Houqin 后勤 · back office"

urlpatterns = [
    # The API first: Django tries the patterns in order, and every "" include below is tried (and
    # fails, building its list of patterns tried) before a path reaches the last one. No page's
    # pattern starts with "api/", so the order changes no match.
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("account/", account.account, name="account"),
    path("account/2fa/verify/", account.verify, name="otp_verify"),
    path("account/2fa/setup/", account.setup, name="otp_setup"),
    path("account/2fa/recovery-codes/", account.recovery, name="otp_recovery"),
    path("account/2fa/recovery-codes/new/", account.recovery_regenerate, name="otp_recovery_new"),
    path("i18n/setlang/", policy.requires(policy.PUBLIC)(set_language), name="set_language"),
    path("", core_views.root, name="root"),
    path("k/<slug:kg>/", core_views.home, name="home"),
    path("k/<slug:kg>/todo-counts/", core_views.todo_counts, name="todo_counts"),
    path("", include("houqin.org.urls")),
    path("", include("houqin.stock.urls")),
    path("", include("houqin.assets.urls")),
    path("", include("houqin.finance.urls")),
    path("", include("houqin.staff.urls")),
    path("", include("houqin.health.urls")),
    path("", include("houqin.canteen.urls")),
    path("", include("houqin.foodsafety.urls")),
    path("", include("houqin.safety.urls")),
    path("", include("houqin.notices.urls")),
    path("", include("houqin.reports.urls")),
]
if settings.HOUQIN_ADMIN:  # back-office repair only, where the operator turns it on
    urlpatterns.append(path("admin/", admin.site.urls))

handler400 = "houqin.core.views.bad_request"
