"""ASGI entry point for process managers: ``uvicorn --factory app.web.asgi:create``.

Why a factory: uvicorn (``--workers N``) and gunicorn start one app per worker
process from an import string, and each process must build its own engine and
caches after the fork. Settings come from ``FINOPS_CONFIG`` and ``FINOPS_*`` as for
``finops serve``. The scheduler is not started here: run it in one place
(``finops serve``, or any replica; jobs are claimed once per period across replicas).
"""

from __future__ import annotations

from fastapi import FastAPI

from app.context import AppContext
from app.settings import load_settings
from app.web.app import create_app


def create() -> FastAPI:
    """Build the web app from the environment's settings."""
    return create_app(AppContext.create(load_settings()))
