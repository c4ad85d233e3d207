"""The web layer: FastAPI routers and the application factory."""
