"""Throwaway PostgreSQL clusters for the replica test and the recovery drills: made with initdb and
pg_ctl in a temporary folder (never the shared server), run as the `postgres` system user when the
suite runs as root (the server refuses root)."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
    if (candidate / "initdb").exists():
        BIN = candidate
        break


def available() -> bool:
    return (BIN / "initdb").exists() and (os.geteuid() != 0 or _has_postgres_user())


def _has_postgres_user() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


def run_as_owner(command: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class Folder:
    """A temporary folder the cluster's owner may write in; removed with everything in it."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="doorstroom-cluster-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.path, owner.pw_uid, owner.pw_gid)
        self.servers: list[Path] = []

    def start(self, data: Path, port: int, settings: str = "") -> None:
        conf = f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.path}'\n{settings}"
        run_as_owner(["sh", "-c", f"cat >> {data}/postgresql.conf"], input=conf)
        run_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-l", str(self.path / f"{port}.log"), "-w", "start"])
        self.servers.append(data)
        deadline = time.time() + 60
        while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True).returncode:
            if time.time() > deadline:
                raise RuntimeError(f"PostgreSQL on port {port} did not start")
            time.sleep(0.2)

    def stop(self, data: Path) -> None:
        run_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        self.servers.remove(data)

    def initdb(self, name: str) -> Path:
        data = self.path / name
        run_as_owner([str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        return data

    def close(self) -> None:
        for data in reversed(self.servers):
            subprocess.run(
                (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                + [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.path, ignore_errors=True)


def sql(port: int, statement: str, database: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-Atc", statement],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()
