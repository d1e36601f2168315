"""Text stages: boilerplate removal, normalization, segmentation."""
