from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"
    # How services/common/request_guard.py answers a request it refuses before any view, under
    # this app's URL trees: (path fragment, function(status, th, en) → response), first match wins.
    request_refusals = (
        ("/open311/", "api.open311.render.guard_refusal"),
        ("/api/", "api.errors.guard_refusal"),
    )
