"""Onboarding models (public schema)."""
