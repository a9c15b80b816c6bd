from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from . import views

app_name = "kpis"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("orders/", views.drill, name="orders"),
    path("board/", views.board, name="board"),
    path("backlog/", views.backlog, name="backlog"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    re_path(
        r"^reports/(?P<pk>[0-9]+)/report\.(?P<fmt>pdf|xlsx)$", views.report_file, name="report_file"
    ),
]
