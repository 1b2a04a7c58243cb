"""FastAPI dependencies: the request's database session and the app context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.context import AppContext


# Both are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker
# thread, and those hops cost more than a cached page (docs/benchmarks-dashboard.md).
# Neither does I/O on the event loop: a Session connects lazily, in the endpoint's
# thread, and one that did is closed in a worker thread too.
async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_session(ctx: Annotated[AppContext, Depends(get_context)]) -> AsyncIterator[Session]:
    session = ctx.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


ContextDep = Annotated[AppContext, Depends(get_context)]
SessionDep = Annotated[Session, Depends(get_session)]


T = TypeVar("T")


def in_own_session(ctx: AppContext, query: Callable[[Session], T]) -> T:
    """Run ``query`` in a session of its own. Cache computations use this instead of
    the request's session, so that requests waiting for one computation hold no
    database connection (a small pool would otherwise run dry on a cold cache)."""
    with ctx.sessions() as session:
        return query(session)
