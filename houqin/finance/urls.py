from django.urls import path

from houqin.finance import billing_views, views

app_name = "finance"

P = "k/<slug:kg>/finance/"

urlpatterns = [
    # purchase requests
    path(P + "purchases/", views.purchase_list, name="purchase_list"),
    path(P + "purchases/new/", views.purchase_create, name="purchase_create"),
    path(P + "purchases/from-stock/", views.purchase_request_from_stock, name="purchase_request_from_stock"),
    path(P + "purchases/<uuid:code>/", views.purchase_detail, name="purchase_detail"),
    path(P + "purchases/<uuid:code>/edit/", views.purchase_edit, name="purchase_edit"),
    path(P + "purchases/<uuid:code>/submit/", views.purchase_submit, name="purchase_submit"),
    path(P + "purchases/<uuid:code>/approve/", views.purchase_approve, name="purchase_approve"),
    path(P + "purchases/<uuid:code>/reject/", views.purchase_reject, name="purchase_reject"),
    path(P + "purchases/<uuid:code>/cancel/", views.purchase_cancel, name="purchase_cancel"),
    path(P + "purchases/<uuid:code>/ordered/", views.purchase_ordered, name="purchase_ordered"),
    path(P + "purchases/<uuid:code>/received/", views.purchase_received, name="purchase_received"),
    # repair requests
    path(P + "repairs/", views.repair_list, name="repair_list"),
    path(P + "repairs/new/", views.repair_request_create, name="repair_request_create"),
    path(P + "repairs/<uuid:code>/", views.repair_detail, name="repair_detail"),
    path(P + "repairs/<uuid:code>/submit/", views.repair_submit, name="repair_submit"),
    path(P + "repairs/<uuid:code>/approve/", views.repair_approve, name="repair_approve"),
    path(P + "repairs/<uuid:code>/reject/", views.repair_reject, name="repair_reject"),
    path(P + "repairs/<uuid:code>/cancel/", views.repair_cancel, name="repair_cancel"),
    path(P + "repairs/<uuid:code>/start/", views.repair_start, name="repair_start"),
    path(P + "repairs/<uuid:code>/done/", views.repair_done, name="repair_done"),
    # expenses and receipts
    path(P + "expenses/", views.expense_list, name="expense_list"),
    path(P + "expenses/new/", views.expense_create, name="expense_create"),
    path(P + "expenses/<uuid:code>/", views.expense_detail, name="expense_detail"),
    path(P + "expenses/<uuid:code>/edit/", views.expense_edit, name="expense_edit"),
    path(P + "expenses/<uuid:code>/sign/", views.expense_sign, name="expense_sign"),
    path(P + "expenses/<uuid:code>/pay/", views.expense_pay, name="expense_pay"),
    path(P + "expenses/<uuid:code>/void/", views.expense_void, name="expense_void"),
    path(P + "expenses/<uuid:code>/receipts/", views.receipt_add, name="receipt_add"),
    path(P + "receipts/<uuid:code>/", views.receipt_file, name="receipt_file"),
    path(P + "receipts/<uuid:code>/void/", views.receipt_void, name="receipt_void"),
    # budgets, settings, report
    path(P + "budgets/", views.budget_list, name="budget_list"),
    path(P + "budgets/save/", views.budget_save, name="budget_save"),
    path(P + "budgets/categories/", views.category_create, name="category_create"),
    path(P + "budgets/categories/defaults/", views.categories_defaults, name="categories_defaults"),
    path(P + "settings/", views.settings_edit, name="settings"),
    path(P + "report/", views.report, name="report"),
    path(P + "report/<int:year>-<int:month>.xlsx", views.report_xlsx, name="report_xlsx"),
    path(P + "report/<int:year>-<int:month>.pdf", views.report_pdf, name="report_pdf"),
    # fee standards
    path(P + "fees/", views.fee_list, name="fee_list"),
    path(P + "fees/new/", views.fee_create, name="fee_create"),
    path(P + "fees/publish/", views.fee_publish_term, name="fee_publish_term"),
    path(P + "fees/<uuid:code>/edit/", views.fee_edit, name="fee_edit"),
    path(P + "fees/<uuid:code>/publish/", views.fee_publish, name="fee_publish"),
    path(P + "fees/<uuid:code>/void/", views.fee_void, name="fee_void"),
    # fee bills to families, payments and receipts
    path(P + "bills/", billing_views.bill_list, name="bill_list"),
    path(P + "bills/generate/", billing_views.bill_generate, name="bill_generate"),
    path(P + "bills/issue/", billing_views.bill_issue, name="bill_issue"),
    path(P + "bills/rules/<str:key>/", billing_views.bill_rule_set, name="bill_rule_set"),
    path(P + "bills/<uuid:code>/", billing_views.bill_detail, name="bill_detail"),
    path(P + "bills/<uuid:code>/pay/", billing_views.bill_pay, name="bill_pay"),
    path(P + "bills/<uuid:code>/void/", billing_views.bill_void, name="bill_void"),
    path(P + "payments/<uuid:code>/void/", billing_views.payment_void, name="payment_void"),
    path(P + "payments/<uuid:code>/receipt.pdf", billing_views.payment_receipt, name="payment_receipt"),
]

# energy and water (水电气: finance/utilities.py, finance/utility_views.py)
from houqin.finance import event_views, utility_views  # noqa: E402

urlpatterns += [
    path(P + "events/", event_views.event_list, name="event_list"),
    path(P + "events/new/", event_views.event_create, name="event_create"),
    path(P + "events/<uuid:code>/", event_views.event_detail, name="event_detail"),
    path(P + "events/<uuid:code>/purchase/", event_views.event_request_purchase, name="event_request_purchase"),
    path(P + "events/<uuid:code>/void/", event_views.event_void, name="event_void"),
    path(P + "meters/", utility_views.meter_list, name="meter_list"),
    path(P + "meters/new/", utility_views.meter_create, name="meter_create"),
    path(P + "meters/<uuid:code>/", utility_views.meter_detail, name="meter_detail"),
    path(P + "meters/<uuid:code>/read/", utility_views.meter_read, name="meter_read"),
    path(P + "meters/readings/<uuid:code>/void/", utility_views.reading_void, name="meter_reading_void"),
]
