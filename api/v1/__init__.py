"""Town API, served on each town's host under /api/v1/."""
