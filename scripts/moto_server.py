"""moto's server with the few API Gateway details it lacks, for cors-doctor's tests (loopback only).

These gaps of moto 5.2.5 are filled before the server starts:
- apigatewayv2 GetAuthorizers (`GET /v2/apis/{id}/authorizers`) answers 500: the response class
  has no handler. One is registered.
- apigateway GetDeployment never returns `apiSummary` (what the deployment froze: path -> verb ->
  authorizationType, apiKeyRequired), which real API Gateway returns with `embed=apisummary`.
  create_deployment now records it and the deployment's JSON carries it, in AWS's format.
- apigateway UpdateMethod, UpdateMethodResponse, UpdateIntegrationResponse and
  UpdateGatewayResponse (the PATCH calls cors-doctor's fixes print) are missing: they are added,
  with API Gateway's patch semantics for the paths those fixes use (`add`/`replace`/`remove` of
  `/responseParameters/…`, `/responseTemplates/…`, `replace` of `/authorizationType`,
  `/apiKeyRequired`, `/authorizerId`, `/statusCode`); any other path is a 400, as in AWS.
- API Gateway's checks that make a wrong fix fail are missing, and are added to the PUT and
  PATCH calls: a mapping value must be a valid expression (a static value must be
  single-quoted: 'https://app.example.com'); an integration response may only map headers its
  method response declares, for a status the method declares; PutMethod and PutMethodResponse
  on one that exists are 409 Conflict.
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html)
- apigatewayv2 CreateDeployment (`POST /v2/apis/{id}/deployments`) is missing: it is added
  (records the deployment and points the stage at it).
- apigatewayv2 UpdateApiMapping (`PATCH /v2/domainnames/{name}/apimappings/{id}`, the command
  cors-doctor prints to point a custom domain's mapping at another stage) is missing: it is
  added (apiId, apiMappingKey and stage replaced where given).
- For benchmarks (scripts/bench-audit.sh): with MOTO_LATENCY_MS=N in the environment, or after
  `GET /cors-doctor/latency/N`, every AWS request (not /moto-api/) is answered N ms late, like
  a remote control plane.
- For the audit's throttling test (tests/aws/aws_moto/audit.rs): after
  `GET /cors-doctor/throttle/<region>/<n>`, every other API Gateway request signed for <region> (by
  its SigV4 credential scope) is answered `429 TooManyRequestsException`, as API Gateway answers
  past its control-plane quota, until n have been; other Regions are untouched (tests share
  the server). `GET /cors-doctor/throttle/<region>` reports how many are still to come.
- For `fix`'s tests, AccessDenied on demand: a write to a REST or HTTP API tagged
  `cors-doctor-test-deny` = `put_integration@OPTIONS,update_route,…` (backend method names,
  optionally only for one HTTP method) answers 403 AccessDeniedException, as API Gateway does
  when the caller lacks the IAM action.
Usage: python moto_server.py -H 127.0.0.1 -p PORT
"""

import json
import os
import sys
import threading
import time

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


# ---- PATCH calls and API Gateway's validation of what fixes write --------------------------

import uuid

from moto.apigateway import responses as v1_responses
from moto.apigateway import urls as v1_urls
from moto.apigateway.exceptions import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from moto.apigatewayv2 import urls as v2_urls

_EXPRESSION_PREFIXES = (
    "integration.response.header.",
    "integration.response.multivalueheader.",
    "integration.response.body",
    "method.request.header.",
    "method.request.multivalueheader.",
    "method.request.path.",
    "method.request.querystring.",
    "method.request.multivaluequerystring.",
    "context.",
    "stageVariables.",
)


def _check_expression(key, value):
    """A mapping value: a single-quoted static value or a known source expression."""
    v = value if isinstance(value, str) else ""
    ok = (len(v) >= 2 and v.startswith("'") and v.endswith("'")) or v.startswith(
        _EXPRESSION_PREFIXES
    )
    if not ok:
        raise BadRequestException(
            "Invalid mapping expression specified: Validation Result: warnings : [], "
            f"errors : [Invalid mapping expression specified: {value}]"
        )


def _check_integration_mappings(method, status_code, params):
    mr = method.method_responses.get(str(status_code))
    if mr is None:
        raise NotFoundException("Invalid Response status code specified")
    declared = mr.response_parameters or {}
    for key, value in (params or {}).items():
        _check_expression(key, value)
        if key.startswith("method.response.header.") and key not in declared:
            raise BadRequestException(
                "Invalid mapping expression specified: Validation Result: warnings : [], "
                f"errors : [Invalid mapping expression parameter specified: {key}]"
            )


def _unescape(segment):
    return segment.replace("~1", "/").replace("~0", "~")


def _apply_map_op(target, op, key, value):
    if op in ("add", "replace"):
        if op == "replace" and key not in target:
            raise BadRequestException(f"Invalid patch path: no {key} to replace")
        target[key] = value
    elif op == "remove":
        if key not in target:
            raise BadRequestException(f"Invalid patch path: no {key} to remove")
        del target[key]
    else:
        raise BadRequestException(f"Invalid patch operation specified: {op}")


def _split(path):
    parts = path.lstrip("/").split("/", 1)
    return parts[0], (_unescape(parts[1]) if len(parts) > 1 else None)


def _bool(value):
    if str(value).lower() not in ("true", "false"):
        raise BadRequestException(f"Invalid boolean value: {value}")
    return str(value).lower() == "true"


_put_method = v1_models.APIGatewayBackend.put_method
_put_method_response = v1_models.APIGatewayBackend.put_method_response
_put_integration_response = v1_models.APIGatewayBackend.put_integration_response
_put_gateway_response = v1_models.APIGatewayBackend.put_gateway_response


def _put_method_checked(self, function_id, resource_id, method_type, *args, **kwargs):
    resource = self.get_resource(function_id, resource_id)
    if method_type in resource.resource_methods:
        raise ConflictException("Method already exists for this resource")
    return _put_method(self, function_id, resource_id, method_type, *args, **kwargs)


def _put_method_response_checked(
    self, function_id, resource_id, method_type, response_code, *args, **kwargs
):
    method = self.get_method(function_id, resource_id, method_type)
    if str(response_code) in method.method_responses:
        raise ConflictException("Response already exists for this resource")
    return _put_method_response(
        self, function_id, resource_id, method_type, response_code, *args, **kwargs
    )


def _put_integration_response_checked(
    self,
    function_id,
    resource_id,
    method_type,
    status_code,
    selection_pattern,
    response_templates,
    response_parameters,
    content_handling=None,
):
    method = self.get_method(function_id, resource_id, method_type)
    _check_integration_mappings(method, status_code, response_parameters)
    return _put_integration_response(
        self,
        function_id,
        resource_id,
        method_type,
        status_code,
        selection_pattern,
        response_templates,
        response_parameters,
        content_handling,
    )


def _put_gateway_response_checked(self, rest_api_id, response_type, **kwargs):
    for key, value in (kwargs.get("response_parameters") or {}).items():
        _check_expression(key, value)
    return _put_gateway_response(self, rest_api_id, response_type, **kwargs)


v1_models.APIGatewayBackend.put_method = _put_method_checked
v1_models.APIGatewayBackend.put_method_response = _put_method_response_checked
v1_models.APIGatewayBackend.put_integration_response = _put_integration_response_checked
v1_models.APIGatewayBackend.put_gateway_response = _put_gateway_response_checked


def _patch_ops(response):
    ops = response._get_param("patchOperations") or []
    if not isinstance(ops, list):
        raise BadRequestException("Invalid patch operations")
    return ops


def _update_method(self):
    parts = self.path.split("/")
    method = self.backend.get_method(parts[2], parts[4], parts[6])
    for o in _patch_ops(self):
        field, _ = _split(o.get("path", ""))
        if o.get("op") != "replace":
            raise BadRequestException(f"Invalid patch operation specified: {o.get('op')}")
        value = o.get("value")
        if field == "authorizationType":
            if value not in ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"):
                raise BadRequestException(f"Invalid authorization type: {value}")
            method.authorization_type = value
            if value in ("NONE", "AWS_IAM"):
                method.authorizer_id = None
        elif field == "apiKeyRequired":
            method.api_key_required = _bool(value)
        elif field == "authorizerId":
            method.authorizer_id = value
        else:
            raise BadRequestException(f"Invalid patch path /{field}")
    return 200, {}, json.dumps(method.to_json())


def _update_method_response(self):
    parts = self.path.split("/")
    method = self.backend.get_method(parts[2], parts[4], parts[6])
    mr = method.method_responses.get(parts[8])
    if mr is None:
        raise NotFoundException("Invalid Response status code specified")
    for o in _patch_ops(self):
        field, key = _split(o.get("path", ""))
        if field == "responseParameters" and key:
            mr.response_parameters = mr.response_parameters or {}
            value = _bool(o.get("value", "false")) if o.get("op") != "remove" else None
            _apply_map_op(mr.response_parameters, o.get("op"), key, value)
        elif field == "responseModels" and key:
            mr.response_models = mr.response_models or {}
            _apply_map_op(mr.response_models, o.get("op"), key, o.get("value"))
        else:
            raise BadRequestException(f"Invalid patch path {o.get('path')}")
    return 200, {}, json.dumps(mr.to_json())


def _update_integration_response(self):
    parts = self.path.split("/")
    method = self.backend.get_method(parts[2], parts[4], parts[6])
    integration = method.method_integration
    if integration is None:
        raise NotFoundException("No integration defined for method")
    ir = integration.get_integration_response(parts[9])
    params = dict(ir.response_parameters or {})
    templates = dict(ir.response_templates or {})
    selection = ir.selection_pattern
    for o in _patch_ops(self):
        field, key = _split(o.get("path", ""))
        if field == "responseParameters" and key:
            _apply_map_op(params, o.get("op"), key, o.get("value"))
        elif field == "responseTemplates" and key:
            _apply_map_op(templates, o.get("op"), key, o.get("value"))
        elif field == "selectionPattern" and o.get("op") == "replace":
            selection = o.get("value")
        else:
            raise BadRequestException(f"Invalid patch path {o.get('path')}")
    _check_integration_mappings(method, parts[9], params)
    ir.response_parameters = params
    ir.response_templates = templates
    ir.selection_pattern = selection
    return 200, {}, json.dumps(ir.to_json())


def _update_gateway_response(self):
    parts = self.path.split("/")
    rest_api_id, response_type = parts[-3], parts[-1]
    api = self.backend.get_rest_api(rest_api_id)
    current = api.gateway_responses.get(response_type)
    params = dict((current.response_parameters if current else None) or {})
    templates = dict((current.response_templates if current else None) or {})
    status = current.status_code if current else None
    for o in _patch_ops(self):
        field, key = _split(o.get("path", ""))
        if field == "responseParameters" and key:
            _apply_map_op(params, o.get("op"), key, o.get("value"))
        elif field == "responseTemplates" and key:
            _apply_map_op(templates, o.get("op"), key, o.get("value"))
        elif field == "statusCode" and o.get("op") == "replace":
            status = o.get("value")
        else:
            raise BadRequestException(f"Invalid patch path {o.get('path')}")
    response = self.backend.put_gateway_response(
        rest_api_id=rest_api_id,
        response_type=response_type,
        status_code=status,
        response_parameters=params or None,
        response_templates=templates or None,
    )
    return 200, {}, json.dumps(response.to_json())


v1_responses.APIGatewayResponse.update_method = _update_method
v1_responses.APIGatewayResponse.update_method_response = _update_method_response
v1_responses.APIGatewayResponse.update_integration_response = _update_integration_response
v1_responses.APIGatewayResponse.update_gateway_response = _update_gateway_response


def _create_v2_deployment(self):
    api_id = self.path.split("/")[-2]
    backend = apigatewayv2_backends[self.current_account][self.region]
    api = backend.get_api(api_id)
    body = json.loads(self.body or "{}")
    deployment_id = uuid.uuid4().hex[:6]
    stage_name = body.get("stageName")
    if stage_name:
        if stage_name not in api.stages:
            raise NotFoundException(f"Invalid stage identifier specified: {stage_name}")
        api.stages[stage_name].deployment_id = deployment_id
    out = {
        "deploymentId": deployment_id,
        "deploymentStatus": "DEPLOYED",
        "description": body.get("description"),
    }
    return 201, {}, json.dumps(out)


v2_responses.ApiGatewayV2Response.create_deployment = _create_v2_deployment
_v2_deployments = "{0}/v2/apis/(?P<api_id>[^/]+)/deployments$"
for _paths in (v1_urls.url_paths, v2_urls.url_paths):
    _paths[_v2_deployments] = v2_responses.ApiGatewayV2Response.dispatch

def _update_api_mapping(self):
    parts = self.path.split("?")[0].rstrip("/").split("/")
    domain_name, mapping_id = parts[-3], parts[-1]
    backend = apigatewayv2_backends[self.current_account][self.region]
    mapping = backend.get_api_mapping(api_mapping_id=mapping_id, domain_name=domain_name)
    body = json.loads(self.body or "{}")
    if "apiId" in body:
        if body["apiId"] not in backend.apis:
            raise NotFoundException("Invalid API identifier specified")
        mapping.api_id = body["apiId"]
    if "apiMappingKey" in body:
        mapping.api_mapping_key = body["apiMappingKey"]
    if "stage" in body:
        mapping.stage = body["stage"]
    return 200, {}, json.dumps(mapping.to_json())


v2_responses.ApiGatewayV2Response.update_api_mapping = _update_api_mapping

# Latency injection: MOTO_LATENCY_MS at start, or `GET /cors-doctor/latency/<ms>` at any time.
_latency = {"ms": float(os.environ.get("MOTO_LATENCY_MS", "0") or 0)}
from moto.moto_server import werkzeug_app  # noqa: E402

_dispatch = werkzeug_app.DomainDispatcherApplication.__call__


# Throttling on demand: region -> [throttles still to give, requests seen since armed].
_throttle = {}
_throttle_lock = threading.Lock()


def _signed_region(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    _, _, rest = auth.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    # API Gateway's calls only (scope: key/date/region/service/aws4_request), not STS.
    return parts[2] if len(parts) >= 5 and parts[3] == "apigateway" else None


def _throttled(environ):
    region = _signed_region(environ)
    if region is None:
        return False
    with _throttle_lock:
        state = _throttle.get(region)
        if not state or state[0] <= 0:
            return False
        state[1] += 1
        if state[1] % 2 == 1:
            state[0] -= 1
            return True
        return False


def _late(self, environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith("/cors-doctor/latency/"):
        _latency["ms"] = float(path.rsplit("/", 1)[-1] or 0)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"latency {_latency['ms']} ms\n".encode()]
    if path.startswith("/cors-doctor/throttle/"):
        parts = path[len("/cors-doctor/throttle/"):].strip("/").split("/")
        with _throttle_lock:
            if len(parts) == 2:
                _throttle[parts[0]] = [int(parts[1]), 0]
            left = _throttle.get(parts[0], [0, 0])[0]
        body = f"{left}\n".encode()
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        )
        return [body]
    if _latency["ms"] > 0 and not path.startswith("/moto-api"):
        time.sleep(_latency["ms"] / 1000.0)
    if not path.startswith("/moto-api") and _throttled(environ):
        body = b'{"message":"Too Many Requests"}'
        start_response(
            "429 Too Many Requests",
            [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "TooManyRequestsException"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]
    return _dispatch(self, environ, start_response)


werkzeug_app.DomainDispatcherApplication.__call__ = _late

# ---- AccessDenied on demand (fix's tests) ---------------------------------------------------

from moto.apigateway.exceptions import AccessDeniedException


class _Denied(AccessDeniedException):
    code = 403

    def __init__(self, op):
        super().__init__(
            "AccessDeniedException",
            f"User: arn:aws:iam::123456789012:user/test is not authorized to perform: {op}",
        )


def _deny_when_tagged(cls, name, tags_of):
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        api_id = kwargs.get("function_id") or kwargs.get("rest_api_id") or kwargs.get("api_id")
        if api_id is None and args:
            api_id = args[0]
        tags = tags_of(self, api_id) or {}
        verb = kwargs.get("method_type") or (args[2] if len(args) > 2 else None)
        for entry in tags.get("cors-doctor-test-deny", "").split(","):
            op, _, only = entry.strip().partition("@")
            if op == name and (not only or only == verb):
                raise _Denied(name)
        return original(self, *args, **kwargs)

    setattr(cls, name, wrapper)


def _v1_tags(backend, api_id):
    api = backend.apis.get(api_id)
    return getattr(api, "tags", None) if api else None


def _v2_tags(backend, api_id):
    api = backend.apis.get(api_id)
    return getattr(api, "tags", None) if api else None


for _name in (
    "put_method",
    "put_method_response",
    "put_integration",
    "put_integration_response",
    "put_gateway_response",
    "create_deployment",
):
    _deny_when_tagged(v1_models.APIGatewayBackend, _name, _v1_tags)

from moto.apigatewayv2 import models as v2_models

for _name in ("update_api", "update_route", "create_route"):
    _deny_when_tagged(v2_models.ApiGatewayV2Backend, _name, _v2_tags)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
