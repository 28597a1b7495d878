from django.urls import path

from kefu.ivr import views

app_name = "ivr"

urlpatterns = [
    path("queue/", views.queue_page, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue_rows"),
    path("queue/<int:entry_id>/answer/", views.queue_answer, name="queue_answer"),
    path("calls/", views.call_list, name="calls"),
    path("calls/<uuid:call_id>/", views.call_detail, name="call_detail"),
    path("statements/<int:request_id>.pdf", views.statement_pdf, name="statement_pdf"),
    path("phone/", views.phone_page, name="phone"),
    path("phone/calls/", views.phone_start, name="phone_start"),
    path("phone/calls/<uuid:call_id>/input/", views.phone_input, name="phone_input"),
    path("phone/calls/<uuid:call_id>/hangup/", views.phone_hangup, name="phone_hangup"),
]
