"""Resolution of mentions to reference data: places (GeoNames), times, actors."""
