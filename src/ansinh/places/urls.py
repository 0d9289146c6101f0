from django.urls import path

from ansinh.places import views

app_name = "places"
urlpatterns = [
    path("villages/", views.village_list, name="village_list"),
    path("villages/<id:pk>/edit/", views.village_edit, name="village_edit"),
]
