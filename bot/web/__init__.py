"""The web app: platform webhooks now, staff review pages later (one ASGI app for both)."""
