from django.urls import path

from houqin.notices import views

app_name = "notices"

P = "k/<slug:kg>/notices/"
urlpatterns = [
    path(P, views.notice_list, name="list"),
    path(P + "new/", views.notice_create, name="create"),
    path(P + "<uuid:code>/", views.notice_detail, name="detail"),
    path(P + "<uuid:code>/publish/", views.notice_publish, name="publish"),
    path(P + "<uuid:code>/void/", views.notice_void, name="void"),
    path(P + "<uuid:code>/receipts/", views.notice_receipts, name="receipts"),
    path(P + "messages/", views.message_list, name="messages"),
    path(P + "messages/read/", views.messages_read, name="messages_read"),
    path(P + "messages/<uuid:code>/", views.message_open, name="message"),
    path(P + "preferences/", views.preferences, name="preferences"),
    path(P + "outbox/", views.outbox_view, name="outbox"),
]
