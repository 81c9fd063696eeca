"""Which app lives in which schema — the one place that says so.

SHARED apps have their tables in the `public` schema (the platform); TENANT apps get a copy
of their tables in every municipality's schema. The few apps in BOTH are the plumbing every
schema needs on its own (users, sessions, content types, audit trail, login throttling):
a Bang Sare account lives only in Bang Sare's schema, a DGA admin only in `public`.
"""

BOTH_SCHEMAS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework.authtoken",
    "auditlog",
    "axes",
    "services.accounts",
    "services.common",
]

SHARED_ONLY = [
    "django_tenants",
    "tenants",
    "onboarding",
    # Between-town delivery queue and agency directory: public by nature (design.md).
    "services.exchange",
]

TENANT_ONLY = [
    "services.casework",
    "services.complaints",
    "services.payments",
    "services.building_permits",
    "services.food_premises",
    "services.correspondence",
    "services.citizens",
    "services.privacy",
]

# Apps with no tables: templates, static files, API plumbing.
NO_TABLES = [
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "api",
]

SHARED_APPS = [*SHARED_ONLY[:1], *BOTH_SCHEMAS, *SHARED_ONLY[1:], *NO_TABLES]
TENANT_APPS = [*BOTH_SCHEMAS, *TENANT_ONLY]
FIRST_PARTY_APPS = ["tenants", "onboarding", "services.exchange", "services.accounts", "services.common", *TENANT_ONLY]
