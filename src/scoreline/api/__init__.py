"""The HTTP gateway: REST routes, authentication and the dashboard, one ASGI app."""
