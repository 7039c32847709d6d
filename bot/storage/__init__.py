"""Persistence: engine, migrations, tables and repository functions (all take a session)."""
