"""The weekly rightsizing pull request: clone, patch, verify, push, open or update one PR.

Entry point: ``open_rightsizing_pr(ctx, dry_run=False)``; the scheduler runs
``schedule.rightsizing_pr_job`` with the weekly rightsizing trigger.
"""

from app.gitops.job import PrRunResult, open_rightsizing_pr

__all__ = ["PrRunResult", "open_rightsizing_pr"]
