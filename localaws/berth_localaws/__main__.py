"""Start the local AWS on loopback and print its URL as the first line of stdout.

    python -m berth_localaws [--host 127.0.0.1] [--port 0]

Port 0 picks a free port. The process exits when its stdin closes (pass --keep-stdin-open=no to
disable), so a test harness that dies never leaves an emulator behind.
"""

import argparse
import os
import sys
import threading

# AWS's managed policies (AmazonEC2ContainerServiceforEC2Role for the ECS instance role, ...) exist
# in every account, as on AWS. Read by moto at import.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from werkzeug.serving import make_server

from . import accounts, ecr, ecs_agent, ecs_counts, ecs_scheduler, ecs_task_definitions


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

    accounts.install()
    ecr.install()
    ecs_agent.install()
    ecs_scheduler.install()
    ecs_counts.install()
    ecs_task_definitions.install()

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, True, request_handler=MotoRequestHandler)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)

    if args.exit_on_stdin_eof:
        def watch_stdin() -> None:
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()

    server.serve_forever()


if __name__ == "__main__":
    main()
