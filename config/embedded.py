"""The embedded default: a real PostgreSQL from the pgserver wheel, and Celery messages carried by
kombu's SQLAlchemy transport on that same server, so one machine needs no server installed first."""

from pathlib import Path
from urllib.parse import quote


def embedded_database_url(data_dir: Path) -> str:
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so web, worker and beat share it.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    if "1 row" not in server.psql("SELECT 1 FROM pg_database WHERE datname = 'personastudio'"):
        server.psql("CREATE DATABASE personastudio")
    return f"postgres://postgres@/personastudio?host={data_dir}"


def embedded_broker_url(database_url: str) -> str:
    socket_dir = database_url.split("?host=", 1)[1]
    return f"sqla+postgresql+psycopg2://postgres@/personastudio?host={quote(socket_dir, safe='')}"
