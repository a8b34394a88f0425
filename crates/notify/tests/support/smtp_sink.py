#!/usr/bin/env python3
"""A real SMTP server for the tests of ficha-notify and ficha (aiosmtpd).

Usage: smtp_sink.py FOLDER  (the tests run it as `python3 -c SCRIPT FOLDER`,
see smtp_sink.rs beside it; by hand it is also a sink for `ficha
bench-notify`)

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once it accepts
connections. Each message received is written to FOLDER as NNNNNN.eml (the
bytes as received) with NNNNNN.rcpt beside it (the envelope's recipients,
one per line); the .eml is renamed into place last, so a visible .eml is
complete. Answers that let the tests see each kind of refusal:

  - a recipient whose local part starts with "rechazar" gets
    550 5.1.1 (mailbox unknown): permanent;
  - one starting with "ocupado" gets 451 4.3.0: temporary.

Runs until its standard input closes (the test harness holds it open and
dies with it), or until it is killed.
"""

import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("rechazar"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("ocupado"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = "%06d" % self.count
        with open(os.path.join(self.folder, name + ".rcpt"), "w") as rcpt:
            rcpt.write("\n".join(envelope.rcpt_tos) + "\n")
        partial = os.path.join(self.folder, "." + name + ".partial")
        with open(partial, "wb") as eml:
            eml.write(envelope.original_content)
        os.rename(partial, os.path.join(self.folder, name + ".eml"))
        return "250 2.0.0 Ok: queued as SINK%s" % name


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    # aiosmtpd 1.4 checks readiness by connecting to the port it was given,
    # so it needs a real port, not 0: take a free one, retry on a race.
    for _ in range(20):
        port = free_port()
        controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            continue
    else:
        sys.exit("no free port for the SMTP sink")
    print("PORT %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
