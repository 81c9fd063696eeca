from django.urls import path

from .views import backoffice, board, line, portal, referrals

app_name = "complaints"

urlpatterns = [
    path("", portal.portal, name="portal"),
    path("new/", portal.file_complaint, name="file"),
    path("new/token/", portal.filing_token, name="filing_token"),
    path("track/", portal.track_lookup, name="track_lookup"),
    path("track/<str:code>/", portal.track, name="track"),
    path("t/<str:token>/", portal.track_link, name="track_link"),
    path("track/<str:code>/confirm/", portal.confirm, name="confirm"),
    path("track/<str:code>/reopen/", portal.reopen, name="reopen"),
    path("track/<str:code>/photos/<uuid:public_id>/", portal.photo, name="photo"),
    path("mine/", portal.my_requests, name="mine"),
    path("transparency/", portal.transparency, name="transparency"),
    path("line/webhook/", line.webhook, name="line_webhook"),
    # back-office
    path("staff/", backoffice.inbox, name="inbox"),
    path("staff/new/", backoffice.staff_file, name="staff_file"),
    path("staff/dashboard/", backoffice.dashboard, name="dashboard"),
    path("staff/export.<str:fmt>", backoffice.export, name="export"),
    path("staff/settings/", backoffice.settings_page, name="settings"),
    path("staff/settings/categories/new/", backoffice.category_edit, name="category_new"),
    path("staff/settings/categories/<int:pk>/", backoffice.category_edit, name="category_edit"),
    path("staff/<int:pk>/", backoffice.detail, name="detail"),
    path("staff/<int:pk>/accept/", backoffice.accept, name="accept"),
    path("staff/<int:pk>/reject/", backoffice.reject, name="reject"),
    path("staff/<int:pk>/merge/", backoffice.merge, name="merge"),
    path("staff/<int:pk>/recategorise/", backoffice.recategorise, name="recategorise"),
    path("staff/<int:pk>/assign/", backoffice.assign, name="assign"),
    path("staff/<int:pk>/start/", backoffice.start, name="start"),
    path("staff/<int:pk>/resolve/", backoffice.resolve, name="resolve"),
    path("staff/<int:pk>/reply/", backoffice.reply, name="reply"),
    path("staff/<int:pk>/note/", backoffice.note, name="note"),
    # public board and "me too" (issue #9)
    path("board/", board.board_page, name="board"),
    path("board/map.geojson", board.board_geojson, name="board_geojson"),
    path("board/<int:pk>/", board.board_case, name="board_case"),
    path("board/<int:pk>/me-too/", board.me_too, name="board_me_too"),
    path("board/photos/<uuid:public_id>/", board.board_photo, name="board_photo"),
    path("board/stop/<str:token>/", board.board_stop, name="board_stop"),
]

# referral (issue #9)
urlpatterns += [
    path("staff/<int:pk>/refer/town/", referrals.refer_town, name="refer_town"),
    path("staff/<int:pk>/refer/agency/", referrals.refer_agency, name="refer_agency"),
    path("staff/<int:pk>/refer/decline/", referrals.decline, name="referral_decline"),
    path("staff/<int:pk>/refer/result/", referrals.agency_result, name="referral_result"),
    path("staff/<int:pk>/refer/take-back/", referrals.take_back, name="referral_take_back"),
    path("staff/settings/agencies/", referrals.agencies, name="referral_agencies"),
    path("staff/settings/agencies/<int:pk>/", referrals.agencies, name="referral_agency_edit"),
]
