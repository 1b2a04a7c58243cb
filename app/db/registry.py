"""Import every module that defines tables, so ``Base.metadata`` is complete.

Alembic's env and the test helpers import this module; add a line when an area
adds a models module.
"""

from __future__ import annotations

import app.allocation.models
import app.budgets.models
import app.db.models
import app.recommendations.models
import app.web.auth.models  # noqa: F401
