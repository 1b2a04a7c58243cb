"""Periodic jobs: each declares its trigger next to its code; one scheduler runs them."""
