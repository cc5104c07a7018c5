from django.urls import path

from houqin.foodsafety import duty_views, log_views, production_views, views

app_name = "foodsafety"

P = "k/<slug:kg>/foodsafety/"

urlpatterns = [
    path(P, views.kitchen, name="kitchen"),
    path(P + "samples/", views.sample_list, name="sample_list"),
    path(P + "samples/new/", views.sample_create, name="sample_create"),
    path(P + "samples/<uuid:code>/discard/", views.sample_discard, name="sample_discard"),
    path(P + "tableware/", views.tableware_list, name="tableware_list"),
    path(P + "tableware/new/", views.tableware_create, name="tableware_create"),
    path(P + "production/", production_views.production_list, name="production_list"),
    path(P + "production/new/", production_views.production_create, name="production_create"),
    path(P + "duties/", duty_views.duty_list, name="duty_list"),
    path(P + "duties/new/<slug:kind>/", duty_views.duty_create, name="duty_create"),
    path(P + "duties/<uuid:code>/", duty_views.duty_detail, name="duty_detail"),
    path(P + "meals/", duty_views.accompany_list, name="accompany_list"),
    path(P + "meals/new/", duty_views.accompany_create, name="accompany_create"),
    path(P + "pests/", log_views.pest_list, name="pest_list"),
    path(P + "pests/new/", log_views.pest_create, name="pest_create"),
    path(P + "water/", log_views.water_list, name="water_list"),
    path(P + "water/units/new/", log_views.water_unit_create, name="water_unit_create"),
    path(P + "water/filters/new/", log_views.filter_create, name="filter_create"),
    path(P + "water/tests/new/", log_views.water_test_create, name="water_test_create"),
    path(P + "water/tests/<uuid:code>/report/", log_views.water_test_report, name="water_test_report"),
    path(P + "receiving/", views.receipt_list, name="receipt_list"),
    path(P + "receiving/new/", views.receipt_create, name="receipt_create"),
    path(P + "receiving/<uuid:code>/", views.receipt_detail, name="receipt_detail"),
    path(P + "receiving/<uuid:code>/invoice/", views.receipt_invoice, name="receipt_invoice"),
    path(P + "certificates/", views.certificate_list, name="certificate_list"),
    path(P + "certificates/new/", views.certificate_create, name="certificate_create"),
    path(P + "certificates/<uuid:code>/scan/", views.certificate_scan, name="certificate_scan"),
    path(P + "expiry-checks/", views.expiry_list, name="expiry_list"),
    path(P + "expiry-checks/new/", views.expiry_create, name="expiry_create"),
    path(P + "expiry-checks/<uuid:code>/", views.expiry_detail, name="expiry_detail"),
    path(P + "expiry-checks/lines/<uuid:code>/dispose/", views.expiry_dispose, name="expiry_dispose"),
    path(P + "hygiene/", views.hygiene_list, name="hygiene_list"),
    path(P + "hygiene/new/", views.hygiene_create, name="hygiene_create"),
    path(P + "hygiene/checklist/", views.hygiene_checklist, name="hygiene_checklist"),
    path(P + "hygiene/<uuid:code>/", views.hygiene_detail, name="hygiene_detail"),
    path(P + "rules/", views.rules, name="rules"),
    path(P + "rules/<str:key>/", views.rule_set, name="rule_set"),
    path(P + "records/<slug:kind>/<uuid:code>/void/", views.void, name="void"),
]
