"""The shared case journey of permit-like services (application → checks → fee → certificate)."""
