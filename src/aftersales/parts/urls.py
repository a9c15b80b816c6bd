from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "parts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.stock_view, name="stock"),
    path("receive/", views.receive_view, name="receive"),
    path("issue/", views.issue_view, name="issue"),
    path("transfer/", views.transfer_view, name="transfer"),
    path("docs/<str:number>/", views.doc_view, name="doc"),
    path("docs/<str:number>/slip.pdf", views.doc_pdf_view, name="doc_pdf"),
    path("label/<str:code>/", views.label_view, name="label"),
    path("requests/", views.requests_view, name="requests"),
    path("arrived-today/", views.arrived_view, name="arrived"),
    path("counts/", views.counts_view, name="counts"),
    path("counts/<int:pk>/", views.count_view, name="count"),
    path("ageing/", views.ageing_view, name="ageing"),
    path("reorder/", views.reorder_view, name="reorder"),
    path("account/", views.account_view, name="account"),
    path("old-parts/<int:pk>/receive/", views.old_part_view, name="old_part_receive"),
]
