"""The store: SQLAlchemy models, the session factory, queries and Alembic migrations."""
