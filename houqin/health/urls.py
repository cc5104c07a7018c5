from django.urls import path

from houqin.health import medication_views, views

app_name = "health"

P = "k/<slug:kg>/health/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "check/<uuid:code>/", views.check, name="check"),
    path(P + "observation/<uuid:code>/", views.observation, name="observation"),
    path(P + "observation/<uuid:code>/<slug:action>/", views.observation_action, name="observation_action"),
    path(P + "attendance/", views.attendance, name="attendance"),
    path(P + "attendance/illness/", views.illness_absence, name="illness_absence"),
    path(P + "medication/", medication_views.medication_list, name="medication"),
    path(P + "medication/new/<uuid:code>/", medication_views.medication_create, name="medication_create"),
    path(P + "medication/<uuid:code>/", medication_views.medication_detail, name="medication_detail"),
    path(P + "medication/<uuid:code>/receive/", medication_views.medication_receive, name="medication_receive"),
    path(P + "medication/<uuid:code>/give/", medication_views.medication_give, name="medication_give"),
    path(P + "medication/<uuid:code>/photo/", medication_views.medication_photo, name="medication_photo"),
    path(P + "attendance/<uuid:code>/follow-up/", views.follow_up, name="follow_up"),
    path(P + "cases/", views.cases, name="cases"),
    path(P + "cases/new/", views.case_create, name="case_create"),
    path(P + "cases/<uuid:code>/", views.case_detail, name="case_detail"),
    path(P + "alerts/<uuid:code>/", views.alert_detail, name="alert_detail"),
    path(P + "alerts/<uuid:code>/<slug:action>/", views.alert_action, name="alert_action"),
    path(P + "closures/new/", views.closure_create, name="closure_create"),
    path(P + "closures/<uuid:code>/reopen/", views.closure_reopen, name="closure_reopen"),
    path(P + "exams/", views.exams, name="exams"),
    path(P + "exams/class/<uuid:code>/", views.exam_class, name="exam_class"),
    path(P + "exams/import/", views.exam_import, name="exam_import"),
    path(P + "exams/reassess/", views.exam_reassess, name="exam_reassess"),
    path(P + "corrections/", views.corrections, name="corrections"),
    path(P + "corrections/<uuid:code>/recheck/", views.correction_recheck, name="correction_recheck"),
    path(P + "children/<uuid:code>/", views.child_record, name="child"),
    path(P + "summary/", views.summary, name="summary"),
    path(P + "weak/", views.weak_cases, name="weak_cases"),
    path(P + "weak/<uuid:code>/", views.weak_case, name="weak_case"),
    path(P + "vaccination/", views.vaccination, name="vaccination"),
    path(P + "vaccination/remind/", views.remind, name="remind"),
    path(P + "vaccination/check/<uuid:code>/", views.vaccination_check, name="vaccination_check"),
    path(P + "vaccination/catch-up/<uuid:code>/done/", views.catch_up_done, name="catch_up_done"),
    path(P + "disinfection/", views.disinfection, name="disinfection"),
    path(P + "settings/", views.settings_view, name="settings"),
    path(P + "settings/rules/<str:key>/", views.rule_set, name="rule_set"),
    path(P + "settings/standard/", views.standard_set, name="standard_set"),
    path(P + "settings/devices/new/", views.device_create, name="device_create"),
    path(P + "settings/devices/<uuid:code>/revoke/", views.device_revoke, name="device_revoke"),
    path("d/<slug:district>/health/reports/", views.district_reports, name="district_reports"),
    path("d/<slug:district>/health/reports/<uuid:code>/", views.district_report, name="district_report"),
    path("d/<slug:district>/health/reports/<uuid:code>/acknowledge/", views.district_acknowledge,
         name="district_acknowledge"),
]
