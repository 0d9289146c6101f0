from django.urls import path

from ansinh.registry import views

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/export.xlsx", views.household_export, name="household_export"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<id:pk>/", views.household_detail, name="household_detail"),
    path("households/<id:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<id:pk>/members/new/", views.person_create, name="person_create"),
    path("households/<id:pk>/head/", views.household_change_head, name="household_change_head"),
    path("households/<id:pk>/split/", views.household_split, name="household_split"),
    path("households/<id:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("persons/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<id:pk>/death/", views.person_death, name="person_death"),
    path("persons/<id:pk>/move-out/", views.person_move_out, name="person_move_out"),
    path("persons/<id:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new-household/", views.proposal_household, name="proposal_household"),
    path("proposals/<id:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<id:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_log_export, name="audit_log_export"),
    path("check/", views.validate_person_field, name="validate_field"),
]
