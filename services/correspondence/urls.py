from django.urls import path

from .views import backoffice

app_name = "correspondence"

urlpatterns = [
    path("", backoffice.home, name="home"),
    path("letters/", backoffice.letter_list, name="letters"),
    path("letters/new/", backoffice.draft, name="draft"),
    path("letters/receive/", backoffice.receive_paper, name="receive_paper"),
    path("letters/<int:pk>/", backoffice.letter_detail, name="letter"),
    path("letters/<int:pk>/pdf/", backoffice.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/files/<int:attachment_id>/", backoffice.attachment, name="attachment"),
    path("letters/<int:pk>/<slug:action>/", backoffice.letter_action, name="letter_action"),
    path("routings/<int:pk>/acknowledge/", backoffice.acknowledge, name="acknowledge"),
    path("registers/<slug:register>/", backoffice.register_view, name="register"),
    path("registers/<slug:register>/export.<slug:fmt>", backoffice.register_export, name="register_export"),
    path("retention/", backoffice.retention, name="retention"),
    path("settings/", backoffice.settings_view, name="settings"),
    path("templates/", backoffice.templates, name="templates"),
    path("templates/<int:pk>/", backoffice.templates, name="template_edit"),
]
