"""Town services: one Django app per service, each living in every town's schema."""
