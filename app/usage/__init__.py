"""The hourly usage store as the readers need it: columns per container, day packs.

Shared by the ingest (which packs the whole days a backfill writes) and by the
rightsizing readers (the weekly job, ``evaluate --database``), so that neither
depends on the other.
"""
