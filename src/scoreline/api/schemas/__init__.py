"""Request and response bodies, one module per resource (the OpenAPI document, and so
the dashboard's generated client, is built from these).

Money is integer minor units (``*_minor``) and prices are decimal strings, so
no client ever rounds a float; times are ISO 8601 UTC.
"""
