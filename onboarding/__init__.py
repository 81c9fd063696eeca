"""Onboarding: the DGA wizard, provisioning pipeline and platform console (public schema)."""
