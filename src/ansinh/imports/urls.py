from django.urls import path

from ansinh.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/new/", views.upload, name="upload"),
    path("job/<id:pk>/", views.job, name="job"),
    path("job/<id:pk>/progress/", views.job_progress, name="job_progress"),
    path("job/<id:pk>/columns/", views.job_columns, name="job_columns"),
    path("job/<id:pk>/commit/", views.job_commit, name="job_commit"),
    path("job/<id:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("job/<id:pk>/refused.xlsx", views.job_refused, name="job_refused"),
]
