"""FastAPI JSON API and Jinja2 pages over the engine: ``create_app(settings, engine)``."""

from .app import create_app

__all__ = ["create_app"]
