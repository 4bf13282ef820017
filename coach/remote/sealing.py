"""Every message of a paired link sealed end to end: XSalsa20-Poly1305 (libsodium's SecretBox)
with the direction's key, a fresh random nonce, and its sequence number inside the ciphertext.

The relay sees a topic and a length, nothing else; whoever lacks the key can neither read a
message nor make one that opens (a changed byte, or a message sealed for the other direction,
fails to open). Sequence numbers are inside, so a replayed message is recognised
(`link.Inbox`) even though its ciphertext is a perfectly good one.
"""

from __future__ import annotations

import struct

import nacl.exceptions
import nacl.secret

#: the sequence number: 8 bytes, big-endian (no link lives long enough to wrap it)
_SEQ = struct.Struct(">Q")


class RefusedError(Exception):
    """A message that did not open (not sealed with this link's key, or changed on the way)."""


class Sealer:
    """Seals this side's messages for the other side, numbering them 1, 2, 3, …"""

    def __init__(self, key: bytes) -> None:
        self._box = nacl.secret.SecretBox(key)

    def seal(self, seq: int, body: bytes) -> bytes:
        return bytes(self._box.encrypt(_SEQ.pack(seq) + body))


class Opener:
    """Opens the other side's messages: (sequence number, body), or `RefusedError`."""

    def __init__(self, key: bytes) -> None:
        self._box = nacl.secret.SecretBox(key)

    def open(self, sealed: bytes) -> tuple[int, bytes]:
        try:
            plain = self._box.decrypt(bytes(sealed))
        except (nacl.exceptions.CryptoError, ValueError, TypeError):
            raise RefusedError("not sealed with this link's key, or changed on the way") from None
        if len(plain) < _SEQ.size:
            raise RefusedError("too short to be one of this link's messages")
        (seq,) = _SEQ.unpack_from(plain)
        return seq, plain[_SEQ.size :]
