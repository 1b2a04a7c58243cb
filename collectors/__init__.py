"""Source adapters.

Each collector turns one external source (Prometheus, the Kubernetes API, AWS Cost
Explorer, price lists, or the built-in demo cluster) into typed records for one time
window. Collectors know nothing of the database: ``app.ingest`` writes what they return.
"""
