"""Cost allocation: split each day's AWS bill over workloads, idle, shared and unallocated.

The pure domain model and arithmetic (windows, bill decomposition, per-container-hour
allocation, sharing, aggregation, efficiency, capacity cost, FOCUS rows) lives in
modules that never touch the database; ``store`` and ``queries`` do the I/O.
See ``docs/allocation.md`` for the model and its conventions.
"""
