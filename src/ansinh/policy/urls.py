from django.urls import path

from ansinh.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
    path("enter/<str:name>/", views.enter, name="enter"),
    path("values/<id:pk>/", views.entry_detail, name="entry"),
    path("values/<id:pk>/approve/", views.entry_approve, name="approve"),
    path("values/<id:pk>/reject/", views.entry_reject, name="reject"),
    path("values/<id:pk>/text.pdf", views.entry_pdf, name="pdf"),
    path("export.yaml", views.export, name="export"),
    path("import/", views.import_file, name="import"),
]
