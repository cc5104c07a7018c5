from django.urls import path

from houqin.stock import views

app_name = "stock"

urlpatterns = [
    path("k/<slug:kg>/stock/", views.on_hand, name="on_hand"),
    path("k/<slug:kg>/stock/items/", views.item_list, name="item_list"),
    path("k/<slug:kg>/stock/items/new/", views.item_create, name="item_create"),
    path("k/<slug:kg>/stock/items/<uuid:code>/", views.item_detail, name="item_detail"),
    path("k/<slug:kg>/stock/items/<uuid:code>/edit/", views.item_edit, name="item_edit"),
    path("k/<slug:kg>/stock/batches/<uuid:code>/dispose/", views.batch_dispose, name="batch_dispose"),
    path("k/<slug:kg>/stock/movements/<uuid:code>/correct/", views.receipt_correct, name="receipt_correct"),
    path("k/<slug:kg>/stock/receive/", views.receive, name="receive"),
    path("k/<slug:kg>/stock/issue/", views.issue, name="issue"),
    path("k/<slug:kg>/stock/kitchen/", views.kitchen_issue, name="kitchen_issue"),
    path("k/<slug:kg>/stock/transfer/", views.transfer, name="transfer"),
    path("k/<slug:kg>/stock/alerts/", views.alerts, name="alerts"),
    path("k/<slug:kg>/stock/suppliers/", views.supplier_list, name="supplier_list"),
    path("k/<slug:kg>/stock/suppliers/new/", views.supplier_create, name="supplier_create"),
    path("k/<slug:kg>/stock/suppliers/<uuid:code>/edit/", views.supplier_edit, name="supplier_edit"),
    path("k/<slug:kg>/stock/settings/", views.stock_settings, name="settings"),
    path("k/<slug:kg>/stock/settings/warehouses/new/", views.warehouse_create, name="warehouse_create"),
    path("k/<slug:kg>/stock/requisitions/", views.requisition_list, name="requisition_list"),
    path("k/<slug:kg>/stock/requisitions/mine/", views.my_requisitions, name="my_requisitions"),
    path("k/<slug:kg>/stock/requisitions/new/", views.requisition_create, name="requisition_create"),
    path("k/<slug:kg>/stock/requisitions/<uuid:code>/", views.requisition_detail, name="requisition_detail"),
    path("k/<slug:kg>/stock/requisitions/<uuid:code>/issue/", views.requisition_issue, name="requisition_issue"),
    path("k/<slug:kg>/stock/requisitions/<uuid:code>/reject/", views.requisition_reject, name="requisition_reject"),
    path("k/<slug:kg>/stock/requisitions/<uuid:code>/cancel/", views.requisition_cancel, name="requisition_cancel"),
    path("k/<slug:kg>/stock/consumption/", views.consumption, name="consumption"),
    path("k/<slug:kg>/stock/stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("k/<slug:kg>/stock/stocktakes/new/", views.stocktake_open, name="stocktake_open"),
    path("k/<slug:kg>/stock/stocktakes/<uuid:code>/", views.stocktake_detail, name="stocktake_detail"),
    path("k/<slug:kg>/stock/stocktakes/<uuid:code>/lines/<uuid:line>/", views.stocktake_count, name="stocktake_count"),
    path("k/<slug:kg>/stock/stocktakes/<uuid:code>/post/", views.stocktake_post, name="stocktake_post"),
    path("k/<slug:kg>/stock/stocktakes/<uuid:code>/close/", views.stocktake_close, name="stocktake_close"),
    path("k/<slug:kg>/stock/report/", views.report, name="report"),
    path("k/<slug:kg>/stock/report/movements.xlsx", views.report_xlsx, name="report_xlsx"),
    path("k/<slug:kg>/stock/report/on-hand.xlsx", views.on_hand_xlsx, name="on_hand_xlsx"),
]
