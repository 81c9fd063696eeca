"""Platform API for DGA admins, served on the platform host under /api/platform/v1/."""
