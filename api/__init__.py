"""The DRF layer: owns the OpenAPI contract of the town API (/api/v1/) and the platform API
(/api/platform/v1/)."""
