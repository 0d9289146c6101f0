from django.contrib.auth import views as auth_views
from django.urls import path

from ansinh.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("setup/", views.setup, name="setup"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<id:pk>/", views.user_edit, name="user_edit"),
    path("users/<id:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<id:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<id:pk>/password/", views.user_password_reset, name="user_password_reset"),
]
