"""The connection to the clinic's relay: an MQTT broker (Mosquitto), through paho-mqtt.

Both apps connect outward (a home behind NAT needs nothing opened), to an address that is a
setting (`RelayAddress`). paho runs its own network thread and reconnects by itself; what
arrives is handed to `on_message` on that thread. The relay is only a post office: what it
carries is sealed end to end (`sealing`), so it needs no trust, only to be up.
"""

from __future__ import annotations

import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

from coach.base.i18n import tr

#: the relay a clinic runs, as documented in the README ("Supervision from another place"); a
#: relay on this computer answers there too, for trying it out (`mosquitto -p 1883`)
DEFAULT_RELAY = "mqtt://localhost:1883"
#: seconds between the broker's pings: a silent dead connection is noticed within about twice
#: this (docs/remote.md measured 9.8 s with 5), inside the 10 s a link has to come back
KEEPALIVE_S = 3
#: paho's reconnect back-off, from 1 s up to 2 s: back within 2 s of the relay returning
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 2
#: at least once: a message is repeated until the relay has it (a drop loses none in flight)
QOS = 1
#: the biggest message a link sends (a finished session's record is the largest): a clinic's
#: relay is set to refuse bigger ones (docs/remote.md)
MAX_MESSAGE_BYTES = 1_000_000


#: messages paho holds for a relay that just went away: beyond that they wait in the link's
#: own store, from which the other side asks for them once back (`link.Outbox`)
MAX_QUEUED = 2000


class RelayAddressError(ValueError):
    pass


@dataclass(frozen=True)
class RelayAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, text: str) -> RelayAddress:
        """`mqtt://host:port`, `mqtts://user:password@host:8883` (TLS), or plain `host:port`."""
        given = text.strip()
        try:
            parts = urlsplit(given if "://" in given else f"mqtt://{given}")
            hostname = parts.hostname
        except ValueError:  # "[" (an unclosed IPv6 address) and such
            hostname = None
        if not hostname or parts.scheme not in ("mqtt", "mqtts"):
            raise RelayAddressError(tr("{address} is not a relay address (mqtt://host:1883 or mqtts://host:8883)",
                                       address=repr(text)))  # fmt: skip
        try:
            port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        except ValueError:
            raise RelayAddressError(
                tr("{address}: the port is not a number from 1 to 65535", address=repr(text))
            ) from None
        return cls(parts.hostname, port, parts.scheme == "mqtts", parts.username, parts.password)

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


class RelayConnection:
    """One app's connection to the relay: subscribe to topics, publish to them; reconnects by itself."""

    def __init__(self, address: RelayAddress) -> None:
        self.address = address
        #: who hears each topic: handler(payload), called on paho's thread
        self._routes: dict[str, Callable[[bytes], None]] = {}
        #: told (on paho's thread) each time the connection comes up (True) or goes (False)
        self._watchers: list[Callable[[bool], None]] = []
        self._lock = threading.Lock()
        self.connected = False
        self._up = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fc-{uuid.uuid4().hex[:16]}",
                             clean_session=True, protocol=mqtt.MQTTv311)  # fmt: skip
        client.max_queued_messages_set(MAX_QUEUED)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        if address.username:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set_context(ssl.create_default_context())
        client.on_socket_open = _no_delay
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_message = self._arrived
        self._client = client

    def start(self) -> None:
        """Connect in the background (and keep reconnecting: the relay may not be up yet)."""
        self._client.connect_async(self.address.host, self.address.port, keepalive=KEEPALIVE_S)
        self._client.loop_start()

    def wait_until_connected(self, timeout_s: float) -> bool:
        """Whether the relay is reached within `timeout_s`."""
        return self._up.wait(timeout_s)

    def watch(self, watcher: Callable[[bool], None]) -> None:
        with self._lock:
            self._watchers.append(watcher)

    def subscribe(self, topic: str, handler: Callable[[bytes], None]) -> None:
        with self._lock:
            self._routes[topic] = handler
            if self.connected:
                self._client.subscribe(topic, qos=QOS)

    def unsubscribe(self, topic: str) -> None:
        with self._lock:
            self._routes.pop(topic, None)
            if self.connected:
                self._client.unsubscribe(topic)

    def publish(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo | None:
        """Handed to the relay now, or dropped while there is none (the link keeps its own copy,
        and the other side asks for what it missed): never waits for the network."""
        if not self.connected:
            return None
        return self._client.publish(topic, payload, qos=QOS)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # ----- on paho's thread ------------------------------------------------------------------
    def _connected(self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object) -> None:
        if getattr(reason, "is_failure", False):
            return
        with self._lock:
            self.connected = True
            self._up.set()
            for topic in self._routes:  # a fresh session on the relay: ask again for what this side hears
                client.subscribe(topic, qos=QOS)
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher(True)

    def _disconnected(
        self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object
    ) -> None:
        with self._lock:
            self.connected = False
            self._up.clear()
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher(False)

    def _arrived(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        handler = self._routes.get(message.topic)
        if handler is not None:
            handler(message.payload)


def _no_delay(client: mqtt.Client, userdata: object, sock: socket.socket) -> None:
    """Small messages go at once: with Nagle's delay a round trip took 88 ms, not 0.3 (docs/remote.md)."""
    if hasattr(sock, "setsockopt") and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
