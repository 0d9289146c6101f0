from django.urls import path

from ansinh.poverty import views

app_name = "poverty"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/add/", views.household_add, name="household_add"),
    path("rounds/<int:pk>/committee/", views.committee, name="committee"),
    path("rounds/<int:pk>/advance/", views.round_advance, name="round_advance"),
    path("rounds/<int:pk>/villages/<int:village_pk>/meeting/", views.meeting, name="meeting"),
    path("rounds/<int:pk>/villages/<int:village_pk>/posting/", views.posting, name="posting"),
    path("rounds/<int:pk>/report-up/", views.report_up, name="report_up"),
    path("rounds/<int:pk>/report-up.pdf", views.report_pdf, name="report_pdf"),
    path("rounds/<int:pk>/decide/", views.decide, name="decide"),
    path("rounds/<int:pk>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path("rounds/<int:pk>/report/", views.report, name="report"),
    path("rounds/<int:pk>/export/<str:which>.xlsx", views.export, name="export"),
    path("households/<int:pk>/", views.survey, name="survey"),
    path("households/<int:pk>/approve/", views.approve, name="approve"),
    path("households/<int:pk>/complaint/", views.complaint, name="complaint"),
    path("households/<int:pk>/request.pdf", views.request_pdf, name="request_pdf"),
    path("households/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("postings/<int:pk>/list.pdf", views.posting_pdf, name="posting_pdf"),
]
