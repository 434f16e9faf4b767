"""A loopback HTTP server that tests start in a background thread and the CLI runs in the foreground.

The emulator and the local SCIM server share this life cycle (start on a free port, stop cleanly
even if never started, context manager), so a fix to one is a fix to both.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from http.server import HTTPServer
from typing import Self

POLL_SECONDS = 0.05  # how quickly stop() is noticed by a background serve_forever


class BackgroundServer(ABC):
    """Owns ``_httpd`` (set by the subclass) and the thread that serves it."""

    _httpd: HTTPServer
    _thread_name = "http-server"

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def _serve_in_background(self) -> None:
        """Start the serving thread once; a second start is a no-op."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(POLL_SECONDS,), name=self._thread_name, daemon=True
            )
            self._thread.start()

    def serve_forever(self) -> None:
        """Serve in this thread until ``KeyboardInterrupt`` (Ctrl-C) or ``stop()``."""
        self._httpd.serve_forever(POLL_SECONDS)

    def stop(self) -> None:
        """Stop serving and close the socket; safe on a server never started or already stopped."""
        if self._thread is not None:
            # shutdown() waits for serve_forever to return, so it is only called when a thread serves.
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @abstractmethod
    def start(self) -> str:
        """Serve in the background (see ``_serve_in_background``) and return the base URL."""
