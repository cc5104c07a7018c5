from django.urls import path

from houqin.org import privacy_views, views

app_name = "org"

urlpatterns = [
    path("k/<slug:kg>/classes/", views.class_list, name="class_list"),
    path("k/<slug:kg>/classes/<uuid:code>/", views.class_detail, name="class_detail"),
    path("k/<slug:kg>/children/", views.child_list, name="child_list"),
    path("k/<slug:kg>/children/new/", views.child_create, name="child_create"),
    path("k/<slug:kg>/children/<uuid:code>/", views.child_detail, name="child_detail"),
    path("k/<slug:kg>/children/<uuid:code>/edit/", views.child_edit, name="child_edit"),
    path("k/<slug:kg>/children/<uuid:code>/leave/", views.child_leave, name="child_leave"),
    path("k/<slug:kg>/children/<uuid:code>/void/", views.child_void, name="child_void"),
    path("k/<slug:kg>/children/<uuid:code>/guardians/new/", views.guardian_add, name="guardian_add"),
    path("k/<slug:kg>/children/<uuid:code>/pickup/new/", views.pickup_person_add, name="pickup_person_add"),
    path("k/<slug:kg>/staff/", views.staff_list, name="staff_list"),
    path("k/<slug:kg>/staff/new/", views.staff_add, name="staff_add"),
    path("k/<slug:kg>/staff/<uuid:code>/2fa-reset/", views.staff_otp_reset, name="staff_otp_reset"),
    path("k/<slug:kg>/roster/", views.roster_page, name="roster"),
    path("k/<slug:kg>/roster/children.xlsx", views.roster_export_children, name="roster_export_children"),
    path("k/<slug:kg>/roster/staff.xlsx", views.roster_export_staff, name="roster_export_staff"),
    path("k/<slug:kg>/roster/import/", views.roster_import, name="roster_import"),
    path("k/<slug:kg>/audit/", views.audit_log, name="audit_log"),
    path("k/<slug:kg>/privacy/", privacy_views.privacy_mine, name="privacy_mine"),
    path("k/<slug:kg>/privacy/children/<uuid:code>/export.zip", privacy_views.privacy_export, name="privacy_export"),
    path("k/<slug:kg>/privacy/erasures/", privacy_views.erasure_list, name="erasure_list"),
    path("k/<slug:kg>/privacy/erasures/new/<uuid:code>/", privacy_views.erasure_create, name="erasure_create"),
    path("k/<slug:kg>/privacy/erasures/<uuid:code>/letter/", privacy_views.erasure_letter, name="erasure_letter"),
    path("d/<slug:district>/", views.district, name="district"),
]
