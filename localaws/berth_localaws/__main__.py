"""Start the local AWS on loopback and print its URL as the first line of stdout.

    python -m berth_localaws [--host 127.0.0.1] [--port 0] [--exit-on-stdin-eof]

Port 0 picks a free port. With --exit-on-stdin-eof the process exits when its stdin closes, so a
test harness that dies never leaves an emulator behind. On a moto other than the pinned one, or one
whose internals an extension does not recognise, it exits with status 1 and says why.
"""

import argparse
import os
import sys
import threading

from . import server
from .moto_version import VersionError
from .patching import PatchError


def main() -> None:
    parser = argparse.ArgumentParser(prog="berth_localaws")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="exit when stdin closes (for test harnesses)",
    )
    args = parser.parse_args()

    try:
        httpd = server.make(args.host, args.port)
    except (VersionError, PatchError) as error:
        sys.exit(f"berth_localaws: refusing to start: {error}")
    host, port = httpd.server_address[:2]
    print(f"http://{host}:{port}", flush=True)

    if args.exit_on_stdin_eof:
        def watch_stdin() -> None:
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()

    httpd.serve_forever()


if __name__ == "__main__":
    main()
