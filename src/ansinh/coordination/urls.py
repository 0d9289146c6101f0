from django.urls import path

from ansinh.coordination.views import board, item

app_name = "coordination"
urlpatterns = [
    path("", board.board, name="board"),
    path("figures/", board.figures_page, name="figures"),
    path("new/", board.item_new, name="item_new"),
    path("report/", board.report, name="report"),
    path("items/<id:pk>/", item.item_detail, name="item"),
    path("items/<id:pk>/comment/", item.item_comment, name="item_comment"),
    path("items/<id:pk>/status/", item.item_status, name="item_status"),
    path("items/<id:pk>/assign/", item.item_assign, name="item_assign"),
    path("items/<id:pk>/edit/", item.item_edit, name="item_edit"),
    path("photos/<id:pk>/", item.photo, name="photo"),
]
