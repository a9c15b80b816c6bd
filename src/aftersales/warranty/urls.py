from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "warranty"
urlpatterns: list[URLPattern | URLResolver] = [
    path("order/<str:number>/", views.order_page, name="order"),
    path("order/<str:number>/badge/", views.badge_view, name="badge"),
    path("order/<str:number>/<str:what>/", views.order_post, name="order_post"),
    path("quotes/<str:number>.pdf", views.quote_pdf_view, name="quote_pdf"),
    path(
        "quotes/<str:number>/invoice.pdf",
        views.quote_pdf_view,
        {"invoice": True},
        name="invoice_pdf",
    ),
    path("returns/", views.returns_page, name="returns"),
    path("returns/<int:pk>/photos/<int:photo>/", views.photo_view, name="photo"),
    path("complaints/", views.complaints_page, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint_page, name="complaint"),
    path("scorecards/", views.scorecards_page, name="scorecards"),
    path("scorecards/close/", views.close_month_view, name="close_month"),
    path("scorecards/<str:username>/", views.card_page, name="card"),
    path("scorecards/<str:username>/<str:month>.pdf", views.statement_view, name="statement"),
    path("penalties/", views.penalties_page, name="penalties"),
    path("expenses/", views.expenses_page, name="expenses"),
    path("expenses/<str:what>/", views.expenses_post, name="expenses_post"),
    path("receipts/<int:pk>/", views.receipt_view, name="receipt"),
    path("quality/", views.quality_page, name="quality"),
]
