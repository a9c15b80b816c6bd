from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from aftersales.api.main import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("orders/", include("aftersales.orders.urls")),
    path("dispatch/", include("aftersales.dispatch.urls")),
    path("parts/", include("aftersales.parts.urls")),
    path("care/", include("aftersales.care.urls")),
    path("warranty/", include("aftersales.warranty.urls")),
    path("kpis/", include("aftersales.kpis.urls")),
]
