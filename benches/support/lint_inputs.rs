//! The generated inputs of `cargo bench --bench lint`, shared with the golden test
//! (`tests/it/lint_golden.rs`), which checks that `lint`'s output on them stays byte-identical.
//!
//! One REST API of `resources` API Gateway resources (every tenth nested under the one before
//! it), each with a GET and a POST with Lambda proxy integrations and a MOCK OPTIONS method
//! with its CORS responses, written two ways: as a Terraform plan (`terraform show -json`,
//! pretty-printed as `jq .` writes it) and as a CloudFormation template in YAML (the short
//! intrinsic tags, as hand-written and SAM templates use them).

use serde_json::{json, Value};

const LAMBDA_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations";

fn refs(target: &str, attr: &str) -> Value {
    json!({ "references": [format!("{target}.{attr}"), target] })
}

/// A plan JSON text shaped like `terraform show -json` of `resources` API Gateway resources
/// (9 Terraform resources each).
pub fn terraform_plan(resources: usize) -> String {
    let api = "aws_api_gateway_rest_api.api";
    let mut values = vec![
        json!({"address": api, "mode": "managed", "type": "aws_api_gateway_rest_api", "name": "api", "values": {"name": "bench-api", "body": null}}),
    ];
    let mut config = vec![
        json!({"address": api, "mode": "managed", "type": "aws_api_gateway_rest_api", "name": "api", "expressions": {"name": {"constant_value": "bench-api"}}}),
    ];
    let mut changes = Vec::new();
    let mut push = |rtype: &str, name: String, v: Value, e: Value| {
        let address = format!("{rtype}.{name}");
        values.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name, "values": v}));
        config.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": e}));
        changes.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name,
            "change": {"actions": ["create"], "before": null, "after": v, "after_unknown": {"id": true}}}));
    };
    for i in 0..resources {
        let r = format!("r{i}");
        // Every tenth resource nests under the one before it.
        let parent = if i % 10 == 9 {
            refs(&format!("aws_api_gateway_resource.r{}", i - 1), "id")
        } else {
            refs(api, "root_resource_id")
        };
        let res = format!("aws_api_gateway_resource.{r}");
        push(
            "aws_api_gateway_resource",
            r.clone(),
            json!({"path_part": format!("items{i}")}),
            json!({"rest_api_id": refs(api, "id"), "parent_id": parent}),
        );
        for verb in ["GET", "POST", "OPTIONS"] {
            let m = format!("{r}_{}", verb.to_lowercase());
            let on = json!({"rest_api_id": refs(api, "id"), "resource_id": refs(&res, "id")});
            push(
                "aws_api_gateway_method",
                m.clone(),
                json!({"http_method": verb, "authorization": "NONE", "api_key_required": false}),
                on.clone(),
            );
            let integration = if verb == "OPTIONS" {
                json!({"http_method": verb, "type": "MOCK", "request_templates": {"application/json": "{\"statusCode\": 200}"}})
            } else {
                json!({"http_method": verb, "type": "AWS_PROXY", "integration_http_method": "POST", "uri": LAMBDA_URI})
            };
            push(
                "aws_api_gateway_integration",
                m.clone(),
                integration,
                on.clone(),
            );
            if verb == "OPTIONS" {
                push(
                    "aws_api_gateway_method_response",
                    m.clone(),
                    json!({"http_method": verb, "status_code": "200", "response_parameters": {
                    "method.response.header.Access-Control-Allow-Origin": true,
                    "method.response.header.Access-Control-Allow-Methods": true,
                    "method.response.header.Access-Control-Allow-Headers": true}}),
                    on.clone(),
                );
                push(
                    "aws_api_gateway_integration_response",
                    m.clone(),
                    json!({"http_method": verb, "status_code": "200", "selection_pattern": "", "response_parameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'"}}),
                    on,
                );
            }
        }
    }
    let doc = json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": values}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A CloudFormation template (YAML) of the same API: `resources` `AWS::ApiGateway::Resource`s,
/// each with GET and POST (`AWS_PROXY` to a function) and a MOCK OPTIONS
/// `AWS::ApiGateway::Method` (4 CloudFormation resources each), a deployment and a stage.
pub fn cloudformation_template(resources: usize) -> String {
    use std::fmt::Write;
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Description: bench API\n\
         Resources:\n\
         \x20 Fn:\n\
         \x20   Type: AWS::Lambda::Function\n\
         \x20   Properties:\n\
         \x20     Runtime: nodejs22.x\n\
         \x20     Handler: index.handler\n\
         \x20     Role: arn:aws:iam::123456789012:role/lambda\n\
         \x20     Code:\n\
         \x20       ZipFile: 'exports.handler = async () => ({ statusCode: 200 })'\n\
         \x20 Api:\n\
         \x20   Type: AWS::ApiGateway::RestApi\n\
         \x20   Properties:\n\
         \x20     Name: bench-api\n",
    );
    let mut methods = Vec::new();
    for i in 0..resources {
        let parent = if i % 10 == 9 {
            format!("!Ref R{}", i - 1)
        } else {
            "!GetAtt Api.RootResourceId".to_string()
        };
        let _ = write!(
            t,
            "  R{i}:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n      ParentId: {parent}\n      PathPart: items{i}\n"
        );
        for verb in ["GET", "POST"] {
            let id = format!("R{i}{verb}");
            let _ = write!(
                t,
                "  {id}:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref R{i}\n      HttpMethod: {verb}\n      AuthorizationType: NONE\n      Integration:\n        Type: AWS_PROXY\n        IntegrationHttpMethod: POST\n        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations\n"
            );
            methods.push(id);
        }
        let id = format!("R{i}OPTIONS");
        let _ = write!(
            t,
            "  {id}:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref R{i}\n      HttpMethod: OPTIONS\n      AuthorizationType: NONE\n      Integration:\n        Type: MOCK\n        RequestTemplates:\n          application/json: '{{\"statusCode\": 200}}'\n        IntegrationResponses:\n          - StatusCode: '200'\n            ResponseParameters:\n              method.response.header.Access-Control-Allow-Origin: \"'https://app.example.com'\"\n              method.response.header.Access-Control-Allow-Methods: \"'GET,POST,OPTIONS'\"\n              method.response.header.Access-Control-Allow-Headers: \"'Content-Type,Authorization'\"\n      MethodResponses:\n        - StatusCode: '200'\n          ResponseParameters:\n            method.response.header.Access-Control-Allow-Origin: true\n            method.response.header.Access-Control-Allow-Methods: true\n            method.response.header.Access-Control-Allow-Headers: true\n"
        );
        methods.push(id);
    }
    t.push_str("  Deployment:\n    Type: AWS::ApiGateway::Deployment\n    DependsOn:\n");
    for m in &methods {
        let _ = writeln!(t, "      - {m}");
    }
    t.push_str(
        "    Properties:\n      RestApiId: !Ref Api\n\
         \x20 Prod:\n    Type: AWS::ApiGateway::Stage\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n      StageName: prod\n",
    );
    t
}
