from django.urls import path

from ansinh.coordination.views import announcements, board, item, live

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
    path("items/<id:pk>/remind/", announcements.remind, name="announcement_remind"),
    path("live/", live.board_live, name="board_live"),
    path("items/<id:pk>/live/", live.item_live, name="item_live"),
    path("messages/", announcements.notify_settings, name="notify_settings"),
]

# Committee meetings (coordination.meetings)
from ansinh.coordination.meetings import views as meetings  # noqa: E402

urlpatterns += [
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<id:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<id:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<id:pk>/add/", meetings.agenda_add, name="meeting_add"),
    path("meetings/<id:pk>/step/", meetings.meeting_step, name="meeting_step"),
    path("meetings/<id:pk>/minutes.pdf", meetings.minutes_pdf, name="meeting_pdf"),
    path("meetings/entries/<id:pk>/decide/", meetings.entry_decide, name="meeting_decide"),
    path("meetings/entries/<id:pk>/change/", meetings.entry_change, name="meeting_entry"),
]
