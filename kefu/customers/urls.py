from django.urls import path

from kefu.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_search, name="search"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/reveal/", views.customer_reveal, name="reveal"),
    path("imports/", views.core_import_list, name="imports"),
    path("imports/<int:import_id>/", views.core_import_detail, name="import_detail"),
    path("imports/<int:import_id>/errors.csv", views.core_import_errors, name="import_errors"),
]
