from django.urls import path

from houqin.assets import views

app_name = "assets"

urlpatterns = [
    path("k/<slug:kg>/assets/", views.asset_list, name="asset_list"),
    path("k/<slug:kg>/assets/new/", views.asset_create, name="asset_create"),
    path("k/<slug:kg>/assets/labels.pdf", views.asset_labels, name="asset_labels"),
    path("k/<slug:kg>/assets/scan/<str:label>/", views.asset_scan, name="scan"),
    path("k/<slug:kg>/assets/import/", views.import_page, name="import"),
    path("k/<slug:kg>/assets/import/upload/", views.import_upload, name="import_upload"),
    path("k/<slug:kg>/assets/export.xlsx", views.export_register, name="export"),
    path("k/<slug:kg>/assets/rooms/", views.room_list, name="room_list"),
    path("k/<slug:kg>/assets/rooms/new/", views.room_create, name="room_create"),
    path("k/<slug:kg>/assets/rooms/<uuid:code>/edit/", views.room_edit, name="room_edit"),
    path("k/<slug:kg>/assets/handovers/", views.handover_list, name="handover_list"),
    path("k/<slug:kg>/assets/handovers/open/", views.handover_open, name="handover_open"),
    path("k/<slug:kg>/assets/handovers/<uuid:code>/", views.handover_detail, name="handover_detail"),
    path("k/<slug:kg>/assets/handovers/<uuid:code>/count/", views.handover_count, name="handover_count"),
    path("k/<slug:kg>/assets/handovers/<uuid:code>/close/", views.handover_close, name="handover_close"),
    path("k/<slug:kg>/assets/handovers/<uuid:code>/return/", views.handover_return, name="handover_return"),
    path("k/<slug:kg>/assets/handovers/<uuid:code>/void/", views.handover_void, name="handover_void"),
    path("k/<slug:kg>/assets/stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("k/<slug:kg>/assets/stocktakes/new/", views.stocktake_create, name="stocktake_create"),
    path("k/<slug:kg>/assets/stocktakes/<uuid:code>/", views.stocktake_detail, name="stocktake_detail"),
    path("k/<slug:kg>/assets/stocktakes/<uuid:code>/count/", views.stocktake_count, name="stocktake_count"),
    path("k/<slug:kg>/assets/stocktakes/<uuid:code>/void/", views.stocktake_void, name="stocktake_void"),
    path("k/<slug:kg>/assets/<uuid:code>/", views.asset_detail, name="asset_detail"),
    path("k/<slug:kg>/assets/<uuid:code>/edit/", views.asset_edit, name="asset_edit"),
    path("k/<slug:kg>/assets/<uuid:code>/photo/", views.asset_photo, name="asset_photo"),
    path("k/<slug:kg>/assets/<uuid:code>/state/", views.asset_state, name="asset_state"),
    path("k/<slug:kg>/assets/<uuid:code>/scrap/", views.asset_scrap, name="asset_scrap"),
    path("k/<slug:kg>/assets/<uuid:code>/void/", views.asset_void, name="asset_void"),
]
