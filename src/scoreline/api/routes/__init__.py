"""The REST routes of the API gateway, one module per area."""
