"""Open311 GeoReport v2 on each town's host (`/open311/v2/`): discovery, services, service
definitions, requests (POST with api_key, GET with filters), a single request, and tokens."""
