from django.urls import path

from ansinh.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_apply, name="case_apply"),
    path("cases/<id:pk>/", views.case_detail, name="case_detail"),
    path("cases/<id:pk>/decision.pdf", views.case_decision_pdf, name="case_decision_pdf"),
    path("cases/<id:pk>/reveal/", views.case_reveal, name="case_reveal"),
    path("payrolls/", views.payroll_list, name="payroll_list"),
    path("payrolls/account/", views.payment_account, name="payment_account"),
    path("payrolls/<id:pk>/", views.payroll_detail, name="payroll_detail"),
    path("payrolls/<id:pk>/export/<str:fmt>/", views.payroll_export, name="payroll_export"),
    path("guard/<id:pk>/resolve/", views.guard_item_resolve, name="guard_resolve"),
    path("lines/<id:pk>/resolve/", views.line_resolve, name="line_resolve"),
    path("lines/<id:pk>/bank-check/", views.line_bank_check, name="line_bank_check"),
    path("reports/", views.reports, name="reports"),
]
