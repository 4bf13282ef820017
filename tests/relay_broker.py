"""The clinic's relay for the tests: a real Mosquitto broker on a free loopback port.

Started by the test that needs it and killed at its end (or mid-test, to see a link come back);
`.ci/run` and the README's test command install it from Debian (`apt-get install mosquitto`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

#: how long a broker has to start listening (it takes about 25 ms here)
START_WAIT_S = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    """Mosquitto listening on 127.0.0.1:`port` only, with nothing kept between starts."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        program = shutil.which("mosquitto") or next(
            (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
        )
        if program is None:
            pytest.fail(
                "mosquitto is not installed: `sudo apt-get install -y mosquitto` (see the README's test command)"
            )
        self.program = program
        self.port = port or free_port()
        self.config = folder / "relay.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n"
        )
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Broker:
        self.process = subprocess.Popen([self.program, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        self.kill()
        pytest.fail(f"mosquitto did not start listening on 127.0.0.1:{self.port} within {START_WAIT_S} s")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            self.process = None


def wait_for(condition, timeout_s: float, step_s: float = 0.02) -> bool:
    """Whether `condition()` became true within `timeout_s` (every test wait is bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return bool(condition())
