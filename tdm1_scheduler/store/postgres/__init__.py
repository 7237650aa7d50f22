"""The PostgreSQL server mode's store (issue 16): its schema and migrations so far.

Nothing here imports psycopg at import time; the app without the ``server`` extra
never loads it.
"""
