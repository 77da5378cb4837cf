"""Azure provider for iacli."""
