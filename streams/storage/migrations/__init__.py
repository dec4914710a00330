"""Database migrations (Alembic), for SQLite and PostgreSQL alike: `versions/` holds one script per
change of the tables; `newsstream db upgrade` and the store stage bring a database to the newest."""
