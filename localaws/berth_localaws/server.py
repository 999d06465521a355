"""moto's server with Berth's extensions, as the emulator and the Python tests run it.

Besides AWS's APIs it answers Berth's own, under `/_berth/` (moto never sees those requests):
- `GET /_berth/listeners?account=<12 digits>&region=<region>`: where the RUNNING tasks' containers
  answer in local mode, loopback URLs standing in for an instance's public IP (`loopback`).
Any other `/_berth/` path is a 404 with a JSON `{"message"}`.
"""

import json
import os

# AWS's managed policies (AmazonEC2ContainerServiceforEC2Role for the ECS instance role, ...) exist
# in every account, as on AWS. Read by moto when IAM is imported, so set before any moto import.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from . import extensions  # noqa: E402

PREFIX = "/_berth/"


def _not_found(environ, start_response):
    data = json.dumps({"message": f"No such local AWS extension endpoint: {environ.get('PATH_INFO', '')}"}).encode()
    start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def with_berth_endpoints(moto_app):
    """A WSGI app: `/_berth/` requests go to Berth's endpoints, the rest to moto. After a
    `/moto-api/` request (a reset rebuilds every backend) the loopback listeners of tasks that are
    gone are closed."""
    from . import loopback

    routes = {loopback.PATH: loopback.endpoint}

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return routes.get(path.rstrip("/"), _not_found)(environ, start_response)
        answer = moto_app(environ, start_response)
        if path.startswith("/moto-api/"):
            loopback.sweep()
        return answer

    return app


def make(host, port):
    """A threaded werkzeug server on (host, port), port 0 for a free one; not yet serving."""
    extensions.install()
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = with_berth_endpoints(DomainDispatcherApplication(create_backend_app))
    return make_server(host, port, app, True, request_handler=MotoRequestHandler)
