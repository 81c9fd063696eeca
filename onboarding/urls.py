from django.urls import path

from . import console, views

app_name = "onboarding"

urlpatterns = [
    path("", views.draft_list, name="drafts"),
    path("check-subdomain/", views.subdomain_check, name="subdomain_check"),
    path("districts/", views.district_options, name="district_options"),
    path("<uuid:public_id>/step/<int:number>/", views.step, name="step"),
    path("<uuid:public_id>/discard/", views.discard, name="discard"),
    path("jobs/<uuid:public_id>/", views.job_progress, name="job"),
    path("jobs/<uuid:public_id>/resume/", views.job_resume, name="job_resume"),
    # The platform console (onboarding/console.py).
    path("towns/<slug:slug>/", console.town_detail, name="town"),
    path("towns/<slug:slug>/status/", console.town_status, name="town_status"),
    path("dashboard/", console.platform_dashboard, name="dashboard"),
]
