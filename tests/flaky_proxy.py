"""A bad network between an app and the relay, on loopback: a TCP proxy that delays everything,
can hold everything (a black hole: nothing gets through, nothing is refused, as when a home
router hangs) and can cut every connection at once (as when Wi-Fi drops).

Threads only, bounded: every connection's pumps end when the proxy stops.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

#: how much one read forwards at most
CHUNK = 65536


class FlakyProxy:
    def __init__(self, target_port: int, delay_s: float = 0.04) -> None:
        self.target_port, self.delay_s = target_port, delay_s
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held = threading.Event()  # set: a black hole
        self._stopped = threading.Event()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self.connections_made = 0
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    @property
    def address(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def black_hole(self, seconds: float) -> None:
        """Nothing passes either way for `seconds` (the connections stay open)."""
        self._held.set()
        time.sleep(seconds)
        self._held.clear()

    def cut(self) -> None:
        """Every connection reset at once."""
        with self._lock:
            connections, self._connections = self._connections, []
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()

    def stop(self) -> None:
        self._stopped.set()
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections += [client, upstream]
                self.connections_made += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True, name="proxy-pump").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self._stopped.is_set():
                data = source.recv(CHUNK)
                if not data:
                    break
                time.sleep(self.delay_s)
                while self._held.is_set() and not self._stopped.is_set():
                    time.sleep(0.02)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()
