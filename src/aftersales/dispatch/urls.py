from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "dispatch"
urlpatterns: list[URLPattern | URLResolver] = [
    path("board/", views.board_view, name="board"),
    path("board/propose/", views.board_propose_view, name="propose"),
    path("board/replan/", views.board_replan_view, name="replan"),
    path("board/<int:pk>/accept/", views.board_accept_view, name="accept"),
    path("board/<int:pk>/move/", views.board_move_view, name="move"),
    path("clerk/", views.clerk_view, name="clerk"),
    path("my-day/", views.my_day_view, name="my_day"),
    path("my-day/<str:number>/<str:action>/", views.my_day_act_view, name="my_day_act"),
]
