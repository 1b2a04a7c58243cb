"""The composition root's runtime context: settings plus database handles.

Built once per process (``finops serve``, a CLI command, a test) and handed to the
web app, the scheduler and the jobs, so nothing reads global state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.db.session import make_engine, make_session_factory
from app.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session] = field(repr=False)

    @classmethod
    def create(cls, settings: Settings) -> AppContext:
        url = settings.effective_database_url()
        kwargs = {} if url.startswith("sqlite") else {"pool_size": settings.database_pool_size}
        engine = make_engine(url, **kwargs)
        return cls(settings=settings, engine=engine, sessions=make_session_factory(engine))

    def close(self) -> None:
        self.engine.dispose()
