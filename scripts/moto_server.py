"""moto's server with the few API Gateway calls it lacks, for cors-doctor's tests (loopback only).

moto 5.2.5 answers `GET /v2/apis/{id}/authorizers` (apigatewayv2 GetAuthorizers) with a 500:
the backend has no `get_authorizers`. This registers a handler for it before starting the
server, so the AWS SDK's lookups can be tested. Usage: python moto_server.py -H 127.0.0.1 -p PORT
"""

import json
import sys

from moto.apigatewayv2 import responses as v2_responses
from moto.apigatewayv2.models import apigatewayv2_backends


def _get_authorizers(self):
    api_id = self.path.split("/")[-2]
    backend = apigatewayv2_backends[self.current_account][self.region]
    api = backend.get_api(api_id)
    items = [a.to_json() for a in api.authorizers.values()]
    return 200, {}, json.dumps({"items": items})


_original = v2_responses.ApiGatewayV2Response.get_authorizers if hasattr(
    v2_responses.ApiGatewayV2Response, "get_authorizers") else None
v2_responses.ApiGatewayV2Response.get_authorizers = _get_authorizers

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
