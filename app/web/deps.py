"""FastAPI dependencies: the request's database session and the app context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

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
