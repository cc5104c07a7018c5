from django.urls import path

from houqin.safety import custody_views, views

app_name = "safety"

P = "k/<slug:kg>/safety/"

urlpatterns = [
    path(P, views.index, name="index"),
    # hazards
    path(P + "hazards/", views.hazard_list, name="hazard_list"),
    path(P + "hazards/new/", views.hazard_create, name="hazard_create"),
    path(P + "hazards/<uuid:code>/", views.hazard_detail, name="hazard_detail"),
    path(P + "hazards/<uuid:code>/assign/", views.hazard_assign, name="hazard_assign"),
    path(P + "hazards/<uuid:code>/rectify/", views.hazard_rectify, name="hazard_rectify"),
    path(P + "hazards/<uuid:code>/verify/", views.hazard_verify, name="hazard_verify"),
    path(P + "hazards/<uuid:code>/repair/", views.hazard_repair, name="hazard_repair"),
    path(P + "hazards/<uuid:code>/void/", views.hazard_void, name="hazard_void"),
    path(P + "photos/<slug:kind>/<uuid:code>/", views.photo, name="photo"),
    # zones, agreements, leadership group, self-checks
    path(P + "zones/", views.zone_list, name="zone_list"),
    path(P + "zones/new/", views.zone_create, name="zone_create"),
    path(P + "zones/qr.pdf", views.zone_qr, name="zone_qr_all"),
    path(P + "zones/<uuid:code>/", views.zone_detail, name="zone_detail"),
    path(P + "zones/<uuid:code>/edit/", views.zone_edit, name="zone_edit"),
    path(P + "zones/<uuid:code>/check/", views.zone_check, name="zone_check"),
    path(P + "zones/<uuid:code>/qr.pdf", views.zone_qr, name="zone_qr"),
    path(P + "agreements/", views.agreement_list, name="agreement_list"),
    path(P + "agreements/new/", views.agreement_create, name="agreement_create"),
    path(P + "agreements/<uuid:code>/sign/", views.agreement_sign, name="agreement_sign"),
    path(P + "leadership/", views.leadership_add, name="leadership_add"),
    # inspections
    path(P + "inspections/", views.inspection_list, name="inspection_list"),
    path(P + "inspections/templates/new/", views.template_create, name="template_create"),
    path(P + "inspections/templates/<uuid:code>/edit/", views.template_edit, name="template_edit"),
    path(P + "inspections/templates/<uuid:code>/round/", views.round_create, name="round_create"),
    path(P + "inspections/rounds/<uuid:code>/", views.round_detail, name="round_detail"),
    # fire equipment
    path(P + "fire/", views.fire_list, name="fire_list"),
    path(P + "fire/new/", views.equipment_create, name="equipment_create"),
    path(P + "fire/check/", views.fire_check, name="fire_check"),
    path(P + "fire/<uuid:code>/edit/", views.equipment_edit, name="equipment_edit"),
    # drills
    path(P + "drills/", views.drill_list, name="drill_list"),
    path(P + "drills/new/", views.drill_create, name="drill_create"),
    path(P + "drills/<uuid:code>/", views.drill_detail, name="drill_detail"),
    path(P + "drills/<uuid:code>/record/", views.drill_record, name="drill_record"),
    # the gate
    path(P + "visitors/", views.visitor_list, name="visitor_list"),
    path(P + "visitors/new/", views.visitor_create, name="visitor_create"),
    path(P + "visitors/<uuid:code>/leave/", views.visitor_leave, name="visitor_leave"),
    path(P + "visitors/<uuid:code>/id/", views.visitor_id, name="visitor_id"),
    path(P + "pickup/", views.pickup_list, name="pickup_list"),
    path(P + "pickup/delegations/", views.delegation_list, name="delegation_list"),
    path(P + "pickup/mine/", views.my_delegations, name="my_delegations"),
    path(P + "pickup/delegations/<uuid:code>/confirm/", views.delegation_confirm, name="delegation_confirm"),
    path(P + "pickup/log/", views.release_log, name="release_log"),
    path(P + "custody/", custody_views.custody_list, name="custody_list"),
    path(P + "custody/new/", custody_views.custody_create, name="custody_create"),
    path(P + "custody/mine/", custody_views.custody_mine, name="custody_mine"),
    path(P + "custody/<uuid:code>/", custody_views.custody_detail, name="custody_detail"),
    path(P + "custody/<uuid:code>/confirm/", custody_views.custody_confirm, name="custody_confirm"),
    path(P + "custody/<uuid:code>/void/", custody_views.custody_void, name="custody_void"),
    path(P + "custody/<uuid:code>/document/", custody_views.custody_document, name="custody_document"),
    path(P + "custody/<uuid:code>/photo/", custody_views.custody_photo, name="custody_photo"),
    path(P + "pickup/<uuid:code>/", views.pickup_card, name="pickup_card"),
    path(P + "pickup/<uuid:code>/release/", views.pickup_release, name="pickup_release"),
    path(P + "pickup/<uuid:code>/delegate/", views.delegation_create, name="delegation_create"),
    path(P + "duty/", views.duty_list, name="duty_list"),
    path(P + "duty/new/", views.duty_create, name="duty_create"),
    path(P + "duty/<uuid:code>/swap/", views.duty_swap, name="duty_swap"),
    # incidents, reports, settings
    path(P + "incidents/", views.incident_list, name="incident_list"),
    path(P + "incidents/new/", views.incident_create, name="incident_create"),
    path(P + "incidents/<uuid:code>/", views.incident_detail, name="incident_detail"),
    path(P + "reports/", views.report_list, name="report_list"),
    path(P + "reports/new/", views.report_create, name="report_create"),
    path(P + "reports/<uuid:code>/", views.report_detail, name="report_detail"),
    path(P + "reports/<uuid:code>/sign/", views.report_sign, name="report_sign"),
    path(P + "reports/<uuid:code>/report.pdf", views.report_pdf, name="report_pdf"),
    path(P + "reports/<uuid:code>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path(P + "settings/", views.settings_edit, name="settings"),
    path(P + "settings/rules/<str:key>/", views.rule_set, name="rule_set"),
    path("d/<slug:district>/safety/reports/", views.district_reports, name="district_reports"),
    path("d/<slug:district>/safety/reports/<uuid:code>/", views.district_report, name="district_report"),
]

# injuries told to parents (safety/injuries.py, safety/injury_views.py)
from houqin.safety import injury_views  # noqa: E402

urlpatterns += [
    path(P + "injuries/", injury_views.injury_list, name="injury_list"),
    path(P + "injuries/new/", injury_views.injury_create, name="injury_create"),
    path(P + "injuries/<uuid:code>/", injury_views.injury_detail, name="injury_detail"),
    path(P + "injuries/<uuid:code>/answer/", injury_views.injury_answer, name="injury_answer"),
    path(P + "injuries/<uuid:code>/district/", injury_views.injury_report_district, name="injury_report_district"),
]

# staggered arrival and dismissal (safety/dismissal.py), safety education (safety/education.py)
from houqin.safety import dismissal_views, education_views  # noqa: E402

urlpatterns += [
    path(P + "slots/", dismissal_views.slot_today, name="slot_today"),
    path(P + "slots/all/", dismissal_views.slot_list, name="slot_list"),
    path(P + "slots/new/", dismissal_views.slot_create, name="slot_create"),
    path(P + "slots/<uuid:code>/edit/", dismissal_views.slot_edit, name="slot_edit"),
    path(P + "slots/<uuid:code>/withdraw/", dismissal_views.slot_void, name="slot_void"),
    path(P + "education/", education_views.lesson_list, name="lesson_list"),
    path(P + "education/new/", education_views.lesson_create, name="lesson_create"),
    path(P + "education/<uuid:code>/", education_views.lesson_detail, name="lesson_detail"),
    path(P + "education/<uuid:code>/held/", education_views.lesson_hold, name="lesson_hold"),
    path(P + "education/<uuid:code>/void/", education_views.lesson_void, name="lesson_void"),
]


# the rule book (制度与应急预案: safety/rulebook.py, safety/rulebook_views.py)
from houqin.safety import rulebook_views  # noqa: E402

urlpatterns += [
    path(P + "plans/", rulebook_views.plan_list, name="plan_list"),
    path(P + "plans/new/", rulebook_views.plan_create, name="plan_create"),
    path(P + "plans/<uuid:code>/", rulebook_views.plan_detail, name="plan_detail"),
    path(P + "plans/<uuid:code>/versions/new/", rulebook_views.plan_version_create, name="plan_version_create"),
    path(P + "plans/<uuid:code>/read/", rulebook_views.plan_acknowledge, name="plan_acknowledge"),
    path(P + "plans/<uuid:code>/void/", rulebook_views.plan_void, name="plan_void"),
    path(P + "plans/<uuid:code>/versions/<int:number>/receipts/", rulebook_views.plan_receipts,
         name="plan_receipts"),
    path(P + "plans/<uuid:code>/versions/<int:number>/document/", rulebook_views.plan_document,
         name="plan_document"),
    path(P + "drills/<uuid:code>/plan/", rulebook_views.drill_plan_link, name="drill_plan_link"),
]
