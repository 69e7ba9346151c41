"""moto's server with the few API Gateway details it lacks, for cors-doctor's tests (loopback only).

Two gaps of moto 5.2.5 are filled before the server starts:
- apigatewayv2 GetAuthorizers (`GET /v2/apis/{id}/authorizers`) answers 500: the response class
  has no handler. One is registered.
- apigateway GetDeployment never returns `apiSummary` (what the deployment froze: path -> verb ->
  authorizationType, apiKeyRequired), which real API Gateway returns with `embed=apisummary`.
  create_deployment now records it and the deployment's JSON carries it, in AWS's format.
Usage: python moto_server.py -H 127.0.0.1 -p PORT
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


v2_responses.ApiGatewayV2Response.get_authorizers = _get_authorizers

from moto.apigateway import models as v1_models

_create_deployment = v1_models.RestAPI.create_deployment
_deployment_to_json = v1_models.Deployment.to_json


def _create_deployment_with_summary(self, *args, **kwargs):
    deployment = _create_deployment(self, *args, **kwargs)
    summary = {}
    for resource in self.resources.values():
        methods = {
            verb: {
                "authorizationType": m.authorization_type or "NONE",
                "apiKeyRequired": bool(m.api_key_required),
            }
            for verb, m in resource.resource_methods.items()
        }
        if methods:
            summary[resource.get_path()] = methods
    deployment.api_summary = summary
    return deployment


def _deployment_json(self):
    out = _deployment_to_json(self)
    if getattr(self, "api_summary", None) is not None:
        out["apiSummary"] = self.api_summary
    return out


v1_models.RestAPI.create_deployment = _create_deployment_with_summary
v1_models.Deployment.to_json = _deployment_json

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
