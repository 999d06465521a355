"""moto's server with Berth's extensions, as the emulator and the Python tests run it.

Besides AWS's APIs it answers Berth's own, under `/_berth/` (moto never sees those requests):
- `GET /_berth/listeners?account=<12 digits>&region=<region>`: where the RUNNING tasks' containers
  answer in local mode, loopback URLs standing in for an instance's public IP (`loopback`).
Any other `/_berth/` path is a 404 with a JSON `{"message"}`.

EC2's DescribeInstanceTypes answers are kept per region and request: the ~1,400 types are the same
in every account and never change, and moto takes seconds to write them out (4 s on an idle
machine, over a minute on a busy one), which the cluster wizard waits for. The whole list of the
local region (us-east-1) is written once at start, in the background.
"""

import io
import json
import logging
import os
import re
import threading
from urllib.parse import parse_qsl

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
        kept = _kept_instance_types(moto_app, environ, start_response)
        if kept is not None:
            return kept
        answer = moto_app(environ, start_response)
        if path.startswith("/moto-api/"):
            loopback.sweep()
        return answer

    return app


_TYPES = {}
_TYPES_LOCK = threading.Lock()
_REGION = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/ec2/")


def _kept_instance_types(moto_app, environ, start_response):
    """The kept answer to a DescribeInstanceTypes (made and kept on its first call), or None for
    any other request (its body put back for moto)."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    region = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
    if b"Action=DescribeInstanceTypes" not in body or region is None:
        return None
    key = (region.group(1), tuple(sorted(parse_qsl(body.decode(errors="replace")))))
    with _TYPES_LOCK:
        if key not in _TYPES:
            said = {}

            def keep(status, headers, exc_info=None):
                said["status"], said["headers"] = status, headers
                return lambda data: None

            data = b"".join(moto_app(environ, keep))
            if not said["status"].startswith("200"):
                start_response(said["status"], said["headers"])
                return [data]
            _TYPES[key] = (said["status"], said["headers"], data)
        status, headers, data = _TYPES[key]
    start_response(status, headers)
    return [data]


def make(host, port):
    """A threaded werkzeug server on (host, port), port 0 for a free one; not yet serving."""
    extensions.install()
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    moto_app = DomainDispatcherApplication(create_backend_app)
    app = with_berth_endpoints(moto_app)
    threading.Thread(target=_warm_instance_types, args=(moto_app,), daemon=True).start()
    return make_server(host, port, app, True, request_handler=MotoRequestHandler)


def _warm_instance_types(moto_app, region="us-east-1"):
    """Asks for every instance type of `region` once, as an SDK would, so the answer is kept."""
    body = b"Action=DescribeInstanceTypes&Version=2016-11-15"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": f"ec2.{region}.amazonaws.com",
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=LOCALAWS000000000000/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    try:
        _kept_instance_types(moto_app, environ, lambda status, headers, exc_info=None: None)
    except Exception:  # noqa: BLE001 - a warm-up that fails leaves the first real request to pay
        logging.getLogger(__name__).exception("writing the instance types ahead failed")
