"""Prefect tasks: thin wrappers around complaints' services, named and tagged by reference."""
