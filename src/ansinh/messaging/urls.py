from django.urls import path

from ansinh.messaging import views

app_name = "messaging"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<id:pk>/", views.message_detail, name="message_detail"),
    path("outbox/<id:pk>/cancel/", views.message_cancel, name="message_cancel"),
    path("refusals/", views.refusals, name="refusals"),
    path("webhooks/sms-gateway/", views.sms_gateway_webhook, name="webhook_sms_gateway"),
    path("webhooks/esms/", views.esms_callback, name="webhook_esms"),
]
