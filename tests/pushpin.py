"""A real Pushpin (Debian package `pushpin`) for the tests and the benchmark: its own config, rundir and
free ports, routing every request to `upstream_port`."""

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.sse import free_port, wait_for_port

SIG_KEY = "test-sig-key"


@dataclass(frozen=True)
class Pushpin:
    url: str  # where clients connect
    grip_url: str  # Django's GRIP_URL: the publish endpoint and the key requests are signed with
    pids: tuple[int, ...] = ()  # zurl and Pushpin's runner (condure, proxy and handler are its children)


def pushpin_installed() -> bool:
    return shutil.which("pushpin") is not None


@contextlib.contextmanager
def running_pushpin(upstream_port: int) -> Iterator[Pushpin]:
    http, push_in, push_sub, push_http, command = (free_port() for _ in range(5))
    with tempfile.TemporaryDirectory(prefix="pushpin-") as tmp:
        root = Path(tmp)
        (root / "routes").write_text(f"* 127.0.0.1:{upstream_port}\n")
        deploy = Path(__file__).resolve().parent.parent / "deploy" / "pushpin"
        (root / "zurl").mkdir()  # not in Pushpin's rundir, which Pushpin empties when it starts
        (root / "zurl.conf").write_text(
            (deploy / "zurl.conf").read_text().replace("/tmp/foodtrucks-zurl", f"{tmp}/zurl")
        )
        config = (
            (deploy / "pushpin.conf")
            .read_text()
            .replace("ipc:///tmp/foodtrucks-zurl/", f"ipc://{root}/zurl/")
            .replace("rundir=/tmp/foodtrucks-pushpin", f"rundir={root}")
            .replace("logdir=/tmp/foodtrucks-pushpin", f"logdir={root}")
            .replace("ipc_prefix=foodtrucks-", f"ipc_prefix=ft{http}-")
            .replace("http_port=7999", f"http_port={http}")
            .replace("routesfile=routes", f"routesfile={root / 'routes'}")
            .replace("sig_key=changeme", f"sig_key={SIG_KEY}")
            .replace("tcp://127.0.0.1:5560", f"tcp://127.0.0.1:{push_in}")
            .replace("tcp://127.0.0.1:5562", f"tcp://127.0.0.1:{push_sub}")
            .replace("push_in_http_port=5561", f"push_in_http_port={push_http}")
            .replace("tcp://127.0.0.1:5563", f"tcp://127.0.0.1:{command}")
        )
        (root / "pushpin.conf").write_text(config)
        log = (root / "out.log").open("wb")
        zurl = ["zurl", f"--config={root / 'zurl.conf'}"]
        pushpin = ["pushpin", "--config", str(root / "pushpin.conf"), "--merge-output"]
        processes = [subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT) for command in (zurl, pushpin)]
        try:
            wait_for_port(http)
            wait_for_port(push_http)
            yield Pushpin(
                url=f"http://127.0.0.1:{http}",
                grip_url=f"http://127.0.0.1:{push_http}?key={SIG_KEY}",
                pids=tuple(process.pid for process in processes),
            )
        finally:
            for process in reversed(processes):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
