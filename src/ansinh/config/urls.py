from django.urls import include, path
from django.views.i18n import set_language

from ansinh.api.api import api
from ansinh.core import views as core_views
from ansinh.registry import views as registry_views

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("files/", include("ansinh.core.urls")),
    path("accounts/", include("ansinh.accounts.urls")),
    path("registry/", include("ansinh.registry.urls")),
    path("imports/", include("ansinh.imports.urls")),
    path("places/", include("ansinh.places.urls")),
    path("messaging/", include("ansinh.messaging.urls")),
    path("insurance/", include("ansinh.insurance.urls")),
    path("poverty/", include("ansinh.poverty.urls")),
    path("assistance/", include("ansinh.assistance.urls")),
    path("coordination/", include("ansinh.coordination.urls")),
    path("outreach/", include("ansinh.outreach.urls")),
    path("policy/", include("ansinh.policy.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]
