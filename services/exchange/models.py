"""Exchange models (public schema)."""
