from django.urls import path

from kefu.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("search/", views.ticket_search, name="search"),
    path("new/<int:customer_id>/", views.ticket_new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("floor/", views.floor, name="floor"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("<int:ticket_id>/act/<slug:action>/", views.ticket_action, name="act"),
    path("<int:ticket_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("s/<str:token>/", views.survey, name="survey"),
]
