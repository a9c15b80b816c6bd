from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("new/", views.order_new_view, name="new"),
    path("backlog/", views.backlog_view, name="backlog"),
    path("backlog.xlsx", views.backlog_xlsx_view, name="backlog_xlsx"),
    path("<str:number>/", views.order_detail_view, name="detail"),
    path("<str:number>/<str:action>/", views.order_action_view, name="action"),
]
