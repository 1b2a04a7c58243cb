"""Budgets and spend alerts: evaluate, record once (outbox), deliver to Slack."""
