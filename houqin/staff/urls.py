from django.urls import path

from houqin.staff import views

app_name = "staff"

P = "k/<slug:kg>/staff/"

urlpatterns = [
    path(P, views.home, name="home"),
    path(P + "settings/", views.staff_settings, name="settings"),
    path(P + "posts/new/", views.post_create, name="post_create"),
    path(P + "posts/<uuid:code>/", views.post_detail, name="post_detail"),
    path(P + "posts/<uuid:code>/edit/", views.post_edit, name="post_edit"),
    path(P + "posts/<uuid:code>/items/new/", views.item_create, name="item_create"),
    path(P + "posts/<uuid:code>/assign/", views.post_assign, name="post_assign"),
    path(P + "items/<uuid:code>/edit/", views.item_edit, name="item_edit"),
    path(P + "assignments/<uuid:code>/end/", views.assignment_end, name="assignment_end"),
    path(P + "assessments/", views.assessment_list, name="assessment_list"),
    path(P + "assessments/generate/", views.assessment_generate, name="assessment_generate"),
    path(P + "assessments/confirm/", views.assessment_confirm_month, name="assessment_confirm_month"),
    path(P + "assessments/payroll.xlsx", views.assessment_export, name="assessment_export"),
    path(P + "assessments/<uuid:code>/", views.assessment_detail, name="assessment_detail"),
    path(P + "assessments/<uuid:code>/deduct/", views.deduction_add, name="deduction_add"),
    path(P + "assessments/<uuid:code>/confirm/", views.assessment_confirm, name="assessment_confirm"),
    path(P + "deductions/<uuid:code>/void/", views.deduction_void, name="deduction_void"),
    path(P + "awards/", views.awards, name="awards"),
    path(P + "ratings/new/", views.round_create, name="round_create"),
    path(P + "rate/", views.rate, name="rate"),
    path(P + "trainings/", views.training_list, name="training_list"),
    path(P + "trainings/new/", views.training_create, name="training_create"),
    path(P + "trainings/topics/new/", views.topic_create, name="topic_create"),
    path(P + "trainings/<uuid:code>/", views.training_detail, name="training_detail"),
    path(P + "trainings/<uuid:code>/material/", views.training_material, name="training_material"),
    path(P + "trainings/<uuid:code>/void/", views.training_void, name="training_void"),
    path(P + "meetings/", views.meeting_list, name="meeting_list"),
    path(P + "meetings/new/", views.meeting_create, name="meeting_create"),
    path(P + "meetings/<uuid:code>/", views.meeting_detail, name="meeting_detail"),
    path(P + "actions/<uuid:code>/done/", views.action_done, name="action_done"),
    path(P + "certificates/", views.certificate_list, name="certificate_list"),
    path(P + "certificates/new/", views.certificate_create, name="certificate_create"),
    path(P + "certificates/<uuid:code>/", views.certificate_detail, name="certificate_detail"),
    path(P + "certificates/<uuid:code>/scan/", views.certificate_scan, name="certificate_scan"),
    path(P + "certificates/<uuid:code>/void/", views.certificate_void, name="certificate_void"),
    path(P + "procedure/", views.procedure, name="procedure"),
    path(P + "procedure/steps/", views.procedure_steps, name="procedure_steps"),
    path(P + "procedure/steps/<uuid:code>/", views.procedure_step_edit, name="procedure_step_edit"),
    path(P + "procedure/<uuid:code>/", views.procedure_day, name="procedure_day"),
    path(P + "procedure/<uuid:code>/tick/", views.procedure_tick, name="procedure_tick"),
    path(P + "me/", views.me, name="me"),
]

# the nap-time watch (staff/naps.py, staff/nap_views.py)
from houqin.staff import nap_views  # noqa: E402

urlpatterns += [
    path(P + "procedure/<uuid:code>/nap/", nap_views.nap_round, name="nap_round"),
]
