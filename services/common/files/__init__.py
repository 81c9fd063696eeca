"""Per-town private file storage and the permission-checked download view."""
