from django.urls import path

from ansinh.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.log, name="log"),
    path("announcements/new/", views.announcement_new, name="announcement_new"),
    path("broadcasts/<id:pk>/mark/", views.broadcast_mark, name="broadcast_mark"),
    path("leaflets/", views.leaflets, name="leaflets"),
    path("leaflets/new/", views.leaflet_edit, name="leaflet_new"),
    path("leaflets/<id:pk>/", views.leaflet_edit, name="leaflet_edit"),
    path("leaflets/<id:pk>/pdf/", views.leaflet_pdf, name="leaflet_pdf"),
    path("messages/", views.group_messages, name="group_messages"),
    path("messages/new/", views.group_message_new, name="group_message_new"),
]
