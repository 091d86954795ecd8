"""A local SMTP server that accepts and counts mail: `python -m bench.smtp_sink PORT`.

Prints `ready` once listening, and on SIGTERM prints the JSON count of messages received.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.messages = 0
        self.recipients = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        self.bytes += len(envelope.content or b"")
        return "250 OK"


def main(port: int) -> int:
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    controller.start()
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    counts = {"messages": handler.messages, "recipients": handler.recipients}
    print(json.dumps({**counts, "bytes": handler.bytes}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1])))
