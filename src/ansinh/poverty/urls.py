from django.urls import path

from ansinh.poverty import views

app_name = "poverty"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/<id:pk>/", views.round_detail, name="round"),
    path("rounds/<id:pk>/add/", views.household_add, name="household_add"),
    path("rounds/<id:pk>/committee/", views.committee, name="committee"),
    path("rounds/<id:pk>/advance/", views.round_advance, name="round_advance"),
    path("rounds/<id:pk>/villages/<id:village_pk>/meeting/", views.meeting, name="meeting"),
    path("rounds/<id:pk>/villages/<id:village_pk>/posting/", views.posting, name="posting"),
    path("rounds/<id:pk>/report-up/", views.report_up, name="report_up"),
    path("rounds/<id:pk>/report-up.pdf", views.report_pdf, name="report_pdf"),
    path("rounds/<id:pk>/decide/", views.decide, name="decide"),
    path("rounds/<id:pk>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path("rounds/<id:pk>/report/", views.report, name="report"),
    path("rounds/<id:pk>/export/<str:which>.xlsx", views.export, name="export"),
    path("households/<id:pk>/", views.survey, name="survey"),
    path("households/<id:pk>/approve/", views.approve, name="approve"),
    path("households/<id:pk>/complaint/", views.complaint, name="complaint"),
    path("households/<id:pk>/request.pdf", views.request_pdf, name="request_pdf"),
    path("households/<id:pk>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("meetings/<id:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("postings/<id:pk>/list.pdf", views.posting_pdf, name="posting_pdf"),
]
