"""Rightsizing in the service: load inputs from the database, run the engine, store results."""
