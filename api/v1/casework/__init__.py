"""The shared case journey's REST views (services/casework), specialised by api/v1/permits and
api/v1/food; it has no URLs of its own."""
