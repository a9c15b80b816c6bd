from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "care"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_day_view, name="my_day"),
    path("customers/<str:pk>/", views.customer_view, name="customer"),
    path("contacts/", views.contacts_view, name="contacts"),
    path("contacts/<str:form>.xlsx", views.export_view, name="export"),
    path("overview/", views.overview_view, name="overview"),
    path("events/", views.events_view, name="events"),
    path("lists/<str:name>/", views.list_view, name="list"),
]
