"""The consumer REST API, /api/v1/: DRF views and serializers composing the domains."""
