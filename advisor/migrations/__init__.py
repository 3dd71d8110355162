"""Alembic migrations of the counselor store (run by :class:`advisor.store.Store` on open)."""
