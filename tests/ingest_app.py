"""A minimal app for the ingest tests' real-server runs: FastAPI, the ingest router, and the
``app.state`` contract of lcgraph/web/api_ingest.py. (The project's server, ``lcgraph serve``,
includes the same router; tests can move to it once it exists.)

``LCGRAPH_TEST_SLOW_VALIDATE=SECONDS`` makes each validation sleep first, so that a test can kill
the server while a change is between parsing and commit.
"""

from __future__ import annotations

import os
import time

from fastapi import FastAPI

from lcgraph import ingest
from lcgraph.config import Settings
from lcgraph.store import open_store
from lcgraph.web.api_ingest import router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="lcgraph ingest (test app)")
    app.state.settings = settings
    app.state.store = open_store(settings, read_only=False)
    app.state.store_changes = 0

    def on_store_change() -> None:
        app.state.store_changes += 1

    app.state.on_store_change = on_store_change
    app.include_router(router)
    delay = float(os.environ.get("LCGRAPH_TEST_SLOW_VALIDATE", "0") or 0)
    if delay:
        validate = ingest._validate

        def slow_validate(*args, **kwargs):
            time.sleep(delay)
            return validate(*args, **kwargs)

        ingest._validate = slow_validate
    return app
