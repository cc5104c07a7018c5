from django.urls import path

from houqin.canteen import optimizer_views, substitute_views, views

app_name = "canteen"

urlpatterns = [
    path("k/<slug:kg>/canteen/", views.menu_list, name="menu_list"),
    path("k/<slug:kg>/canteen/menus/new/", views.menu_create, name="menu_create"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/", views.menu_detail, name="menu_detail"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/entries/<uuid:entry>/remove/", views.entry_remove, name="entry_remove"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/entries/<uuid:entry>/substitute/", substitute_views.substitute_set,
         name="substitute_set"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/substitutes/", substitute_views.substitute_list, name="substitutes"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/publish/", views.menu_publish, name="menu_publish"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/void/", views.menu_void, name="menu_void"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/analysis/", views.menu_analysis, name="menu_analysis"),
    path("k/<slug:kg>/canteen/menus/<uuid:code>/menu.pdf", views.menu_pdf, name="menu_pdf"),
    path("k/<slug:kg>/canteen/optimizer/", optimizer_views.optimizer_page, name="optimizer"),
    path("k/<slug:kg>/canteen/optimizer/<uuid:code>/", optimizer_views.proposal_detail, name="proposal_detail"),
    path("k/<slug:kg>/canteen/optimizer/<uuid:code>/accept/", optimizer_views.proposal_accept, name="proposal_accept"),
    path("k/<slug:kg>/canteen/optimizer/<uuid:code>/redo/", optimizer_views.proposal_redo_day,
         name="proposal_redo_day"),
    path("k/<slug:kg>/canteen/published/", views.published_list, name="published_list"),
    path("k/<slug:kg>/canteen/published/this-week/", views.this_week, name="this_week"),
    path("k/<slug:kg>/canteen/published/<uuid:code>/", views.published_detail, name="published_detail"),
    path("k/<slug:kg>/canteen/dishes/", views.dish_list, name="dish_list"),
    path("k/<slug:kg>/canteen/dishes/new/", views.dish_create, name="dish_create"),
    path("k/<slug:kg>/canteen/dishes/<uuid:code>/", views.dish_edit, name="dish_edit"),
    path("k/<slug:kg>/canteen/foods/", views.food_list, name="food_list"),
    path("k/<slug:kg>/canteen/foods/new/", views.food_create, name="food_create"),
    path("k/<slug:kg>/canteen/survey/", views.survey, name="survey"),
    path("k/<slug:kg>/canteen/committee/", views.committee_list, name="committee_list"),
    path("k/<slug:kg>/canteen/committee/new/", views.committee_create, name="committee_create"),
    path("k/<slug:kg>/canteen/committee/<uuid:code>/", views.committee_detail, name="committee_detail"),
    path("k/<slug:kg>/canteen/account/", views.account_list, name="account_list"),
    path("k/<slug:kg>/canteen/account/published/", views.account_published, name="account_published"),
    path("k/<slug:kg>/canteen/account/<str:month>/", views.account_detail, name="account_detail"),
    path("k/<slug:kg>/canteen/account/<str:month>/account.pdf", views.account_pdf, name="account_pdf"),
    path("k/<slug:kg>/canteen/settings/", views.settings_page, name="settings"),
    path("k/<slug:kg>/canteen/settings/stock-items/", views.stock_links, name="stock_links"),
    path("k/<slug:kg>/canteen/rules/", views.rules_page, name="rules"),
    path("k/<slug:kg>/canteen/rules/<str:key>/", views.rule_set, name="rule_set"),
]
