"""moto's server with Berth's extensions, as the emulator and the Python tests run it."""

import os

# AWS's managed policies (AmazonEC2ContainerServiceforEC2Role for the ECS instance role, ...) exist
# in every account, as on AWS. Read by moto when IAM is imported, so set before any moto import.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from . import extensions  # noqa: E402


def make(host, port):
    """A threaded werkzeug server on (host, port), port 0 for a free one; not yet serving."""
    extensions.install()
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    return make_server(host, port, app, True, request_handler=MotoRequestHandler)
