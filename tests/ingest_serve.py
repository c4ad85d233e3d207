"""Run the real `lcgraph serve` for the ingest tests' server processes.

``LCGRAPH_TEST_SLOW_VALIDATE=SECONDS`` makes each validation sleep first, so that a test can kill
the server while a change waits between parsing and commit; otherwise this is exactly
``python -m lcgraph serve ARGS``.
"""

from __future__ import annotations

import os
import sys
import time

from lcgraph import ingest
from lcgraph.cli import main

delay = float(os.environ.get("LCGRAPH_TEST_SLOW_VALIDATE", "0") or 0)
if delay:
    validate = ingest._validate

    def slow_validate(*args, **kwargs):
        time.sleep(delay)
        return validate(*args, **kwargs)

    ingest._validate = slow_validate

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]])
