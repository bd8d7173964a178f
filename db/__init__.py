"""kam's storage: SQLModel tables, the engine factory and Alembic migrations."""
