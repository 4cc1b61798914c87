"""An embedded PostgreSQL (pgserver) for `make run`: development runs on the engine production runs."""

import atexit
import logging
import warnings
from pathlib import Path
from urllib.parse import quote


def embedded_database_url(pgdata: Path) -> str:
    """The URL of the PostgreSQL server in `pgdata`, started (and the folder initialised) if needed.

    Every process that asks (runserver's reloader and its child, management commands side by side)
    shares the one server; pgserver lists them and stops it when the last of them exits.
    """
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs warns that pgserver's lock file goes under /tmp: fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver  # only local settings without DATABASE_URL get here; production never does

    # pgserver logs every pg_ctl call and every process exit at INFO: noise in the runserver console.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = pgserver.get_server(pgdata)
    # Registered after pgserver's own exit handler, so it runs just before it.
    atexit.register(_forget_dead_processes, server)
    # The server listens on a Unix socket only (no TCP port to clash with); django-environ reads a
    # socket folder from the URL's path, percent-encoded, and Django gets it as HOST.
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{quote(str(socket_dir), safe='')}/postgres"


def _forget_dead_processes(server) -> None:
    """Take processes that died without their exit handlers off pgserver's list of the server's users.

    pgserver stops the server when the last listed process exits. A process killed by SIGKILL or
    SIGTERM stays listed (runserver's reloader kills its child so when it gets SIGTERM), and then
    the server would never stop.
    """
    import psutil

    with server._lock:
        listed = server.global_process_id_list.get()
        alive = [pid for pid in listed if psutil.pid_exists(pid)]
        if alive != listed:
            server.global_process_id_list.put(alive)
