from django.urls import path

from kefu.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.sign_in_code, name="login_code"),
    path("logout/", views.sign_out, name="logout"),
    path("account/security/", views.account_security, name="account_security"),
    path("audit/", views.audit_list, name="audit"),
    path("calendar/", views.calendar_list, name="calendar"),
    path("calendar/enter/", views.calendar_enter, name="calendar_enter"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/delete/", views.calendar_year_delete, name="calendar_year_delete"),
]
