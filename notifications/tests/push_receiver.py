"""A stand-in for a Web Push service: an HTTP server in a thread that decrypts what it is sent.

Each subscription it hands out has its own keys (a P-256 pair and an auth secret, as a browser
makes them); a POST to /push/<name> is decrypted (aes128gcm, RFC 8291) with that subscription's
private key and kept with its headers. A name listed in `gone` is answered 410 (unsubscribed).
"""

import base64
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Received:
    name: str
    text: str
    headers: dict


@dataclass
class PushReceiver:
    server: ThreadingHTTPServer
    keys: dict = field(default_factory=dict)  # name -> (private key, auth secret)
    received: list = field(default_factory=list)
    gone: set = field(default_factory=set)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def subscription(self, name: str) -> dict:
        """A new subscription: its endpoint and keys, as PushSubscription.toJSON() gives them."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.keys[name] = (private_key, auth)
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": f"{self.base_url}/push/{name}", "keys": {"p256dh": _b64(public), "auth": _b64(auth)}}


def start_push_receiver() -> PushReceiver:
    receiver: PushReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            name = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if name in receiver.gone or name not in receiver.keys:
                self.send_response(410)
                self.end_headers()
                return
            private_key, auth = receiver.keys[name]
            text = http_ece.decrypt(body, private_key=private_key, auth_secret=auth, version="aes128gcm").decode()
            receiver.received.append(Received(name, text, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = PushReceiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
