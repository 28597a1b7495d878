from django.urls import path

from kefu.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("s/<str:token>/", views.survey, name="survey"),
]
