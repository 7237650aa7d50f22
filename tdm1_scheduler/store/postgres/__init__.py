"""The PostgreSQL server mode's store (issue 16): its schema and migrations
(``migrations``, ``runner``) and the store on it (``pg_store.PgStore`` over
``pg_connection.PgDatabase``; ``open_pg_store("postgresql://...")``).

Nothing here imports psycopg at import time; the app without the ``server`` extra
never loads it.
"""
