from django.contrib import admin
from django.urls import include, path

from kefu.api import api

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("kefu.customers.urls")),
    path("callbacks/", include("kefu.callbacks.urls")),
    path("ivr/", include("kefu.ivr.urls")),
    path("tickets/", include("kefu.tickets.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),
    path("", include("kefu.core.urls")),
]
