#!/usr/bin/env python3
"""Validates cors-doctor's infrastructure-as-code snippets (tests/it/snippets.rs runs it).

Usage: validate_snippets.py FILE...
  NAME.cloudformation.yaml, NAME.sam.yaml: the snippet is placed in a minimal template. Each
    resource its header says it expects ("#   Id: AWS::Type — ...") is defined there with the
    properties that type requires, as the user's template would; the snippet's resources are
    merged into them (a resource the snippet marks "exists" gains its properties, as the user
    merges it); SAM templates get the SAM transform. cfn-lint (its default rules, us-east-1)
    must report no error and no warning.
  NAME.tf: must parse as HCL2 (python-hcl2).
Prints one line per problem. Exit status: 0 all valid, 1 a snippet is invalid, 3 a tool is
missing (cfn-lint or python-hcl2 not installed: scripts/moto.sh installs both).
"""
import json
import re
import sys

try:
    import cfnlint.api
    import cfnlint.decode.cfn_yaml
    import hcl2
except ImportError as e:  # pragma: no cover
    print(f"validate_snippets: {e} (scripts/moto.sh installs cfn-lint and python-hcl2)")
    sys.exit(3)

EXPECT = re.compile(r"^#   ([A-Za-z0-9]+): (AWS::[A-Za-z0-9:]+) ")
API_TYPES = (
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
)


def stub(ty, api):
    """The properties a resource of type `ty` needs, referring to the API `api`."""
    ref = {"Ref": api}
    root = {"Fn::GetAtt": [api, "RootResourceId"]}
    return {
        "AWS::ApiGateway::RestApi": {"Name": "api"},
        "AWS::ApiGateway::Resource": {"RestApiId": ref, "ParentId": root, "PathPart": "stub"},
        "AWS::ApiGateway::Method": {
            "RestApiId": ref,
            "ResourceId": root,
            "HttpMethod": "GET",
            "AuthorizationType": "NONE",
            # A method whose responses a snippet maps has a (non-proxy) integration.
            "Integration": {
                "Type": "HTTP",
                "IntegrationHttpMethod": "GET",
                "Uri": "https://backend.example.com/stub",
            },
        },
        "AWS::ApiGateway::GatewayResponse": {"RestApiId": ref, "ResponseType": "DEFAULT_4XX"},
        "AWS::ApiGateway::Stage": {"RestApiId": ref, "StageName": "prod"},
        "AWS::ApiGatewayV2::Api": {"Name": "api", "ProtocolType": "HTTP"},
        "AWS::ApiGatewayV2::Route": {"ApiId": ref, "RouteKey": "GET /stub"},
        "AWS::ApiGatewayV2::Integration": {
            "ApiId": ref,
            "IntegrationType": "HTTP_PROXY",
            "IntegrationMethod": "ANY",
            "IntegrationUri": "https://backend.example.com",
            "PayloadFormatVersion": "1.0",
        },
        "AWS::ApiGatewayV2::Stage": {"ApiId": ref, "StageName": "$default"},
        "AWS::Serverless::Api": {"StageName": "prod"},
        "AWS::Serverless::HttpApi": {},
        "AWS::Serverless::Function": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "InlineCode": "def handler(event, context):\n    return {}\n",
        },
    }.get(ty)


def intrinsic(value):
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::")
    )


def merge(base, patch):
    """`patch` merged into `base` as a person merges a snippet: maps key by key; anything
    else (a list, a value, a function such as Ref) replaces what was there."""
    if isinstance(base, dict) and isinstance(patch, dict) and not intrinsic(patch) and not intrinsic(base):
        out = dict(base)
        for k, v in patch.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    return patch


def plain(value):
    """cfn-lint's decoded nodes as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def template(path, text, sam):
    expects = []
    for line in text.splitlines():
        m = EXPECT.match(line)
        if m:
            expects.append((m.group(1), m.group(2)))
    snippet = plain(cfnlint.decode.cfn_yaml.loads(text, path))
    resources = snippet.get("Resources") or {}
    api = next((i for i, t in expects if t in API_TYPES), None)
    base = {}
    for logical_id, ty in expects:
        props = stub(ty, api or logical_id)
        if props is None:
            raise ValueError(f"no stub for {ty}")
        if ty == "AWS::Serverless::Api" and "DefinitionBody" in (
            resources.get(logical_id, {}).get("Properties") or {}
        ):
            props = dict(props)
            props["DefinitionBody"] = {
                "openapi": "3.0.1",
                "info": {"title": "api", "version": "1"},
                "paths": {},
            }
        base[logical_id] = {"Type": ty, "Properties": props}
    merged = merge(base, resources)
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": merged}
    if sam:
        doc["Transform"] = "AWS::Serverless-2016-10-31"
    return doc


def main(files):
    problems = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            if path.endswith(".tf"):
                hcl2.loads(text)
                continue
            sam = path.endswith(".sam.yaml")
            doc = template(path, text, sam)
            config = cfnlint.api.ManualArgs(regions=["us-east-1"])
            matches = cfnlint.api.lint(json.dumps(doc, indent=1), config=config)
            for m in matches:
                level = m.rule.severity.lower()
                if level in ("error", "warning"):
                    print(f"{path}: {m.rule.id} {level}: {m.message} (at {'/'.join(map(str, m.path or []))})")
                    problems += 1
        except Exception as e:  # every failure is the snippet's: report it, go on
            print(f"{path}: {type(e).__name__}: {e}")
            problems += 1
    print(f"validate_snippets: {len(files)} files, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
