from django.urls import path

from ansinh.insurance import views

app_name = "insurance"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("people/", views.people, name="people"),
    path("people/list.xlsx", views.people_xlsx, name="people_xlsx"),
    path("people/list.pdf", views.people_pdf, name="people_pdf"),
    path("cards/import/", views.card_import, name="card_import"),
    path("households/<id:pk>/", views.household_cards, name="household_cards"),
    path("reminders/stages/", views.stages, name="stages"),
    path("reminders/stages/<id:pk>/", views.stage_edit, name="stage_edit"),
    path("reminders/campaign/", views.campaign, name="campaign"),
]
