from django.urls import path

from ansinh.core import views

app_name = "core"

urlpatterns = [
    path("problems/<str:token>.xlsx", views.problems, name="problems"),
]
