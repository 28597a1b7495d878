from django.urls import path

from kefu.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("audit/", views.audit_list, name="audit"),
]
