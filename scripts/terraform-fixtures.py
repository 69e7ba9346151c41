#!/usr/bin/env python3
"""Writes the Terraform fixtures of tests/fixtures/terraform/ from assets/scenarios/.

For each scenario it writes `<name>/main.tf` (the API as a Terraform user writes it: one
resource per REST resource, method, integration, method/integration response, gateway
response, authorizer, deployment, stage; or the HTTP API with its routes), runs the real
`terraform plan` and stores `terraform show -json` of the plan as `<name>/plan.json`.

Scenarios whose stage serves an older deployment (`deployment.not_deployed`) and the trap
`trap-deployment-no-triggers` are planned in two phases against moto (scripts/moto.sh): the
first configuration is applied, the second planned, so the plan shows the deployment
unchanged while the methods change (the classic "deployment without triggers").

Needs terraform and the AWS provider in a filesystem mirror (TF_PLUGIN_MIRROR, default
/opt/tf-plugins). Run from the repository root: `python3 scripts/terraform-fixtures.py`.
The plans are committed; the tests do not run terraform.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "terraform")
MIRROR = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")
KEY = "x-cors-doctor-scenario"
HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"]
ANY = "x-amazon-apigateway-any-method"


def hcl(v, indent=2):
    """A Python value as an HCL expression."""
    pad = " " * indent
    if isinstance(v, Raw):
        return v.text
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v).replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list):
        return "[" + ", ".join(hcl(x, indent) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = "".join(f"{pad}  {json.dumps(k)} = {hcl(x, indent + 2)}\n" for k, x in v.items())
        return "{\n" + inner + pad + "}"
    raise TypeError(v)


class Raw:
    def __init__(self, text):
        self.text = text


def block(kind, name, attrs, nested=()):
    lines = [f'resource "{kind}" "{name}" {{']
    for k, v in attrs.items():
        if v is None:
            continue
        lines.append(f"  {k} = {hcl(v)}")
    for nk, nv in nested:
        lines.append(f"  {nk} {{")
        for k, v in nv.items():
            if v is not None:
                lines.append(f"    {k} = {hcl(v, 4)}")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def ident(s):
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    return s or "root"


PROVIDER = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
%ENDPOINTS%}
"""


def rest_tf(doc, spec, skip=(), triggers=True, overrides=None):
    """Terraform for a REST API export. `skip`: (path, method) pairs left out."""
    overrides = overrides or {}
    api = "aws_api_gateway_rest_api.api"
    out = [block("aws_api_gateway_rest_api", "api", {
        "name": doc["info"]["title"],
        "api_key_source": doc.get("x-amazon-apigateway-api-key-source"),
    })]
    schemes = doc.get("components", {}).get("securitySchemes", {}) or doc.get("securityDefinitions", {})
    authorizers = {}
    for name, s in schemes.items():
        a = s.get("x-amazon-apigateway-authorizer")
        if not a:
            continue
        n = ident(name)
        authorizers[name] = n
        kind = a["type"].upper()
        out.append(block("aws_api_gateway_authorizer", n, {
            "name": name,
            "rest_api_id": Raw(f"{api}.id"),
            "type": kind,
            "provider_arns": a.get("providerARNs"),
            "authorizer_uri": a.get("authorizerUri"),
            "identity_source": a.get("identitySource", "method.request.header." + s.get("name", "Authorization")),
        }))
    resources = {"/": Raw(f"{api}.root_resource_id")}
    deps = []
    for path in doc["paths"]:
        segs = [p for p in path.split("/") if p]
        cur = ""
        for seg in segs:
            parent = resources[cur or "/"]
            cur = cur + "/" + seg
            if cur in resources:
                continue
            n = ident(cur)
            out.append(block("aws_api_gateway_resource", n, {
                "rest_api_id": Raw(f"{api}.id"),
                "parent_id": parent,
                "path_part": seg,
            }))
            resources[cur] = Raw(f"aws_api_gateway_resource.{n}.id")
    for path, item in doc["paths"].items():
        for verb, op in item.items():
            if verb not in HTTP_METHODS and verb != ANY:
                continue
            method = "ANY" if verb == ANY else verb.upper()
            if (path, method) in skip:
                continue
            n = ident(path) + "_" + method.lower()
            rid = resources[path]
            auth, auth_id, key = "NONE", None, False
            for req in op.get("security", []):
                for sname in req:
                    if sname in authorizers:
                        a = schemes[sname]["x-amazon-apigateway-authorizer"]["type"]
                        auth = "COGNITO_USER_POOLS" if a == "cognito_user_pools" else "CUSTOM"
                        auth_id = Raw(f"aws_api_gateway_authorizer.{authorizers[sname]}.id")
                    elif schemes.get(sname, {}).get("x-amazon-apigateway-authtype") == "awsSigv4":
                        auth = "AWS_IAM"
                    else:
                        key = True
            m = f"aws_api_gateway_method.{n}"
            out.append(block("aws_api_gateway_method", n, {
                "rest_api_id": Raw(f"{api}.id"),
                "resource_id": rid,
                "http_method": method,
                "authorization": auth,
                "authorizer_id": auth_id,
                "api_key_required": key or None,
            }))
            deps += [m]
            statuses = []
            for status, r in op.get("responses", {}).items():
                if status == "default":
                    continue
                headers = list((r.get("headers") or {}).keys())
                out.append(block("aws_api_gateway_method_response", f"{n}_{status}", {
                    "rest_api_id": Raw(f"{api}.id"),
                    "resource_id": rid,
                    "http_method": Raw(f"{m}.http_method"),
                    "status_code": status,
                    "response_parameters": {f"method.response.header.{h}": True for h in headers} or None,
                }))
                statuses.append(status)
            i = op.get("x-amazon-apigateway-integration")
            if not i:
                continue
            kind = i["type"].upper()
            templates = {k: (v if v is not None else "") for k, v in (i.get("requestTemplates") or {}).items()}
            out.append(block("aws_api_gateway_integration", n, {
                "rest_api_id": Raw(f"{api}.id"),
                "resource_id": rid,
                "http_method": Raw(f"{m}.http_method"),
                "type": kind,
                "integration_http_method": i.get("httpMethod"),
                "uri": i.get("uri"),
                "passthrough_behavior": (i.get("passthroughBehavior") or "").upper() or None,
                "content_handling": i.get("contentHandling"),
                "request_templates": templates or None,
            }))
            deps.append(f"aws_api_gateway_integration.{n}")
            for pattern, r in (i.get("responses") or {}).items():
                status = r["statusCode"]
                params = dict(r.get("responseParameters") or {})
                params.update(overrides.get((path, method, status), {}))
                mr = f"aws_api_gateway_method_response.{n}_{status}"
                attrs = {
                    "rest_api_id": Raw(f"{api}.id"),
                    "resource_id": rid,
                    "http_method": Raw(f"{m}.http_method"),
                    "status_code": Raw(f"{mr}.status_code") if status in statuses else status,
                    "selection_pattern": None if pattern == "default" else pattern,
                    "response_parameters": params or None,
                    "response_templates": {k: (v if v is not None else "") for k, v in (r.get("responseTemplates") or {}).items()} or None,
                }
                body = block("aws_api_gateway_integration_response", f"{n}_{status}", attrs)
                body = body[:-1] + f"  depends_on = [aws_api_gateway_integration.{n}]\n}}"
                out.append(body)
                deps.append(f"aws_api_gateway_integration_response.{n}_{status}")
    for rtype, g in (doc.get("x-amazon-apigateway-gateway-responses") or {}).items():
        out.append(block("aws_api_gateway_gateway_response", ident(rtype), {
            "rest_api_id": Raw(f"{api}.id"),
            "response_type": rtype,
            "status_code": g.get("statusCode"),
            "response_parameters": g.get("responseParameters"),
            "response_templates": g.get("responseTemplates"),
        }))
        deps.append(f"aws_api_gateway_gateway_response.{ident(rtype)}")
    dep_attrs = {"rest_api_id": Raw(f"{api}.id"), "description": (spec.get("deployment") or {}).get("description")}
    if triggers:
        ids = ", ".join(f"{d}.id" for d in deps)
        dep_attrs["triggers"] = Raw("{\n    redeployment = sha1(jsonencode([" + ids + "]))\n  }")
        dep = block("aws_api_gateway_deployment", "this", dep_attrs)
        dep = dep[:-1] + "\n  lifecycle {\n    create_before_destroy = true\n  }\n}"
    else:
        dep = block("aws_api_gateway_deployment", "this", dep_attrs)
        dep = dep[:-1] + "  depends_on = [" + ", ".join(deps) + "]\n}"
    out.append(dep)
    stage = spec["stage"]
    out.append(block("aws_api_gateway_stage", ident(stage), {
        "rest_api_id": Raw(f"{api}.id"),
        "deployment_id": Raw("aws_api_gateway_deployment.this.id"),
        "stage_name": stage,
        "variables": spec.get("stage_variables") or None,
    }))
    for t in spec.get("throttling", []):
        mp = "*/*" if t.get("path", "*") == "*" else t["path"].lstrip("/") + "/" + t.get("method", "*")
        out.append(block("aws_api_gateway_method_settings", ident(mp) or "all", {
            "rest_api_id": Raw(f"{api}.id"),
            "stage_name": Raw(f"aws_api_gateway_stage.{ident(stage)}.stage_name"),
            "method_path": mp,
        }, [("settings", {"throttling_rate_limit": t["rate_limit"], "throttling_burst_limit": t["burst_limit"]})]))
    for k in spec.get("api_keys", []):
        n = ident(k.get("name") or "key")
        # AWS refuses a key value shorter than 20 characters: such a key is left for AWS to
        # generate (unknown in the plan, as most configurations have it).
        value = k["value"] if len(k["value"]) >= 20 else None
        out.append(block("aws_api_gateway_api_key", n, {"name": k.get("name") or n, "value": value, "enabled": k.get("enabled", True)}))
        out.append(block("aws_api_gateway_usage_plan", n, {"name": f"{n}-plan"},
                         [("api_stages", {"api_id": Raw(f"{api}.id"), "stage": Raw(f"aws_api_gateway_stage.{ident(s)}.stage_name")}) for s in (k.get("stages") or [stage])]))
        out.append(block("aws_api_gateway_usage_plan_key", n, {
            "key_id": Raw(f"aws_api_gateway_api_key.{n}.id"),
            "key_type": "API_KEY",
            "usage_plan_id": Raw(f"aws_api_gateway_usage_plan.{n}.id"),
        }))
    return "\n\n".join(out) + "\n"


def http_tf(doc, spec):
    api = "aws_apigatewayv2_api.api"
    cors = doc.get("x-amazon-apigateway-cors")
    nested = []
    if cors:
        nested.append(("cors_configuration", {
            "allow_origins": cors.get("allowOrigins"),
            "allow_methods": cors.get("allowMethods"),
            "allow_headers": cors.get("allowHeaders"),
            "expose_headers": cors.get("exposeHeaders"),
            "max_age": cors.get("maxAge"),
            "allow_credentials": cors.get("allowCredentials"),
        }))
    out = [block("aws_apigatewayv2_api", "api", {"name": doc["info"]["title"], "protocol_type": "HTTP"}, nested)]
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for name, s in schemes.items():
        a = s.get("x-amazon-apigateway-authorizer") or {}
        jwt = a.get("jwtConfiguration") or {}
        out.append(block("aws_apigatewayv2_authorizer", ident(name), {
            "api_id": Raw(f"{api}.id"),
            "authorizer_type": a.get("type", "jwt").upper(),
            "identity_sources": [a.get("identitySource", "$request.header.Authorization")],
            "name": name,
        }, [("jwt_configuration", {"audience": jwt.get("audience"), "issuer": jwt.get("issuer")})]))
    integrations = {}
    for path, item in doc["paths"].items():
        for verb, op in item.items():
            if verb not in HTTP_METHODS and verb != ANY:
                continue
            method = "ANY" if verb == ANY else verb.upper()
            key = "$default" if path == "/$default" else f"{method} {path}"
            i = op["x-amazon-apigateway-integration"]
            uri = i.get("uri")
            if uri not in integrations:
                n = ident(uri.split(":function:")[-1].split("/")[0]) if ":function:" in uri else f"i{len(integrations)}"
                integrations[uri] = n
                out.append(block("aws_apigatewayv2_integration", n, {
                    "api_id": Raw(f"{api}.id"),
                    "integration_type": i["type"].upper(),
                    "integration_uri": uri,
                    "integration_method": i.get("httpMethod"),
                    "payload_format_version": i.get("payloadFormatVersion"),
                }))
            auth, auth_id = "NONE", None
            for req in op.get("security", []):
                for sname in req:
                    auth, auth_id = "JWT", Raw(f"aws_apigatewayv2_authorizer.{ident(sname)}.id")
            out.append(block("aws_apigatewayv2_route", ident(key) if key != "$default" else "default", {
                "api_id": Raw(f"{api}.id"),
                "route_key": key,
                "target": Raw(f'"integrations/${{aws_apigatewayv2_integration.{integrations[uri]}.id}}"'),
                "authorization_type": auth,
                "authorizer_id": auth_id,
            }))
    out.append(block("aws_apigatewayv2_stage", "default", {
        "api_id": Raw(f"{api}.id"),
        "name": spec["stage"],
        "auto_deploy": spec.get("auto_deploy", False),
    }))
    return "\n\n".join(out) + "\n"


def tf(cmd, cwd, env):
    r = subprocess.run(["terraform"] + cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"terraform {' '.join(cmd)} failed in {cwd}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def plan(name, phases, endpoint=None, compact=False):
    """Plans the last configuration of `phases` after applying the others; writes the fixture."""
    work = tempfile.mkdtemp(prefix=f"tf-{name}-")
    env = dict(os.environ)
    cli = os.path.join(work, "cli.tfrc")
    with open(cli, "w") as f:
        f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % MIRROR)
    env.update(TF_CLI_CONFIG_FILE=cli, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    endpoints = ""
    if endpoint:
        endpoints = f'  endpoints {{\n    apigateway = "{endpoint}"\n  }}\n'
    for i, body in enumerate(phases):
        with open(os.path.join(work, "main.tf"), "w") as f:
            f.write(PROVIDER.replace("%ENDPOINTS%", endpoints) + "\n" + body)
        if i == 0:
            tf(["init", "-input=false", "-no-color"], work, env)
        if i < len(phases) - 1:
            tf(["apply", "-input=false", "-auto-approve", "-no-color"], work, env)
    tf(["plan", "-input=false", "-no-color", "-out=plan.out"], work, env)
    shown = tf(["show", "-json", "plan.out"], work, env)
    dest = os.path.join(OUT, name)
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(dest, "main.tf"), "w") as f:
        f.write(PROVIDER.replace("%ENDPOINTS%", "") + "\n" + phases[-1])
    doc = json.loads(shown)
    # The plan's timestamp changes on every run; keep the files stable.
    doc["timestamp"] = "2026-11-30T12:00:00Z"
    with open(os.path.join(dest, "plan.json"), "w") as f:
        if compact:
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
        else:
            f.write(json.dumps(doc, indent=2) + "\n")
    shutil.rmtree(work)
    print(f"wrote {dest}/plan.json", file=sys.stderr)


def main():
    only = set(sys.argv[1:])
    endpoint = os.environ.get("MOTO_ENDPOINT")
    sdir = os.path.join(ROOT, "assets", "scenarios")
    for fname in sorted(os.listdir(sdir)):
        name = fname[:-5]
        if only and name not in only:
            continue
        doc = json.load(open(os.path.join(sdir, fname)))
        spec = doc.pop(KEY)
        is_http = "x-amazon-apigateway-importexport-version" in doc or any(
            "payloadFormatVersion" in json.dumps(i) for i in doc["paths"].values())
        if is_http:
            plan(name, [http_tf(doc, spec)])
            continue
        not_deployed = [(m["path"], m["method"].upper()) for m in (spec.get("deployment") or {}).get("not_deployed", [])]
        if not_deployed:
            if not endpoint:
                sys.exit(f"{name}: needs moto (eval \"$(scripts/moto.sh | sed 's/^/export /')\")")
            plan(name, [rest_tf(doc, spec, skip=not_deployed, triggers=False), rest_tf(doc, spec, triggers=False)], endpoint)
        else:
            plan(name, [rest_tf(doc, spec)], compact=(name == "options-missing"))
    # The trap: a method's CORS mapping changed, the deployment has no triggers: the stage
    # keeps serving the old mapping.
    if (not only or "trap-deployment-no-triggers" in only) and endpoint:
        doc = json.load(open(os.path.join(sdir, "rest-healthy.json")))
        spec = doc.pop(KEY)
        old = {("/bookings", "OPTIONS", "200"): {"method.response.header.Access-Control-Allow-Origin": "'https://old.example.com'"}}
        plan("trap-deployment-no-triggers", [rest_tf(doc, spec, triggers=False, overrides=old), rest_tf(doc, spec, triggers=False)], endpoint)
    # The same healthy API defined by its OpenAPI body (aws_api_gateway_rest_api.body).
    if not only or "rest-healthy-body" in only:
        doc = json.load(open(os.path.join(sdir, "rest-healthy.json")))
        spec = doc.pop(KEY)
        body = block("aws_api_gateway_rest_api", "api", {"name": doc["info"]["title"], "body": Raw("jsonencode(" + json.dumps(doc, indent=2).replace("${", "$${").replace("\n", "\n  ") + ")")})
        rest = "\n\n".join([
            body,
            block("aws_api_gateway_deployment", "this", {"rest_api_id": Raw("aws_api_gateway_rest_api.api.id"),
                  "triggers": Raw("{\n    redeployment = sha1(aws_api_gateway_rest_api.api.body)\n  }")}),
            block("aws_api_gateway_stage", "prod", {"rest_api_id": Raw("aws_api_gateway_rest_api.api.id"),
                  "deployment_id": Raw("aws_api_gateway_deployment.this.id"), "stage_name": "prod"}),
        ]) + "\n"
        plan("rest-healthy-body", [rest])


if __name__ == "__main__":
    main()
