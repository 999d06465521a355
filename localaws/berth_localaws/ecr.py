"""ECR, where moto differs from AWS in ways Berth relies on.

- Pagination: moto ignores maxResults/nextToken and returns everything at once. AWS returns at most
  maxResults (default 100 for DescribeRepositories/DescribeImages/ListImages, range 1-1000) and a
  nextToken. Without this, no client pagination code is exercised locally.
- Image sizes: moto reports the config blob's size; ECR reports the sum of the compressed layers.
- Image digests: moto derives a digest from the layer list (or from a random number when there is
  none, so two images can collide). A registry's digest is the sha256 of the manifest bytes.
"""

import base64
import hashlib
import json

from moto.ecr.exceptions import InvalidParameterException
from moto.ecr.models import Image
from moto.ecr.responses import ECRResponse
from moto.core.responses import ActionResult

from .patching import patch, require

_PAGED = {
    "describe_repositories": "repositories",
    "describe_images": "imageDetails",
    "list_images": "imageIds",
}


def _decode_token(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except Exception:  # an invalid token is the caller's error, as on AWS
        raise InvalidParameterException("Invalid parameter at 'nextToken' failed to satisfy constraint: 'invalid token'")


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _paginated(method, key):
    def wrapper(self):
        result = method(self)
        max_results = self._get_param("maxResults")
        token = self._get_param("nextToken")
        if max_results is None and token is None:
            max_results = 100
        if max_results is not None and not 1 <= int(max_results) <= 1000:
            raise InvalidParameterException(
                "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                "'Member must have value less than or equal to 1000 and greater than or equal to 1'"
            )
        items = list(result.result[key])
        start = _decode_token(token) if token else 0
        end = start + int(max_results or 100)
        page = dict(result.result)
        page[key] = items[start:end]
        if end < len(items):
            page["nextToken"] = _encode_token(end)
        return ActionResult(page)

    return wrapper


def _manifest_digest(_original):
    # Sets the attribute moto's own _create_digest sets, which its image_digest property reads.
    def create_digest(self) -> None:
        self._image_digest = "sha256:" + hashlib.sha256(self.image_manifest.encode()).hexdigest()

    return create_digest


def _layers_size(_original):
    def get_image_size_in_bytes(self):
        manifest = json.loads(self.image_manifest)
        layers = manifest.get("layers")
        if layers is None:
            return None
        return sum(int(layer.get("size", 0)) for layer in layers)

    return get_image_size_in_bytes


def install() -> None:
    require(ECRResponse, "_get_param", "(self, param_name, if_none=None)")
    for name, key in _PAGED.items():
        patch(ECRResponse, name, "(self)", lambda original, key=key: _paginated(original, key))
    patch(Image, "_create_digest", "(self)", _manifest_digest)
    patch(Image, "get_image_size_in_bytes", "(self)", _layers_size)
