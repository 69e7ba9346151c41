//! Plain CloudFormation (what CDK synthesizes into `cdk.out/*.template.json`, what the
//! Serverless Framework compiles into `.serverless/cloudformation-template-update-stack.json`,
//! and what people write by hand): `AWS::ApiGateway::*` and `AWS::ApiGatewayV2::*` resources
//! → one OpenAPI document per API, in the export format [`crate::gateway::openapi`] reads.
//!
//! Resource properties: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_ApiGateway.html>
//! and <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_ApiGatewayV2.html>.

use serde_json::{json, Map, Value};

use super::intrinsics::{get_att, ref_name, referenced, scalar_text};
use super::{add_scheme, new_doc, Built, Ctx, TemplateError};
use crate::gateway::front::private;
use crate::gateway::model::{ApiKind, Element, Stage, ThrottleSetting, Unresolved, DEFAULT_STAGE};

/// Every REST API (`AWS::ApiGateway::RestApi`) with its resources, methods, authorizers,
/// gateway responses and stages.
pub(super) fn rest_apis(cx: &Ctx) -> Result<Vec<Built>, TemplateError> {
    let mut out = Vec::new();
    for (id, _) in cx.of_type("AWS::ApiGateway::RestApi") {
        let props = cx.props(id);
        let mut b = Built::new(id, "AWS::ApiGateway::RestApi", ApiKind::Rest);
        b.source(cx, Element::Api, &cx.at(id), id);
        b.doc = match props.get("Body") {
            Some(body @ Value::Object(_)) => {
                b.body_at = Some(format!("{}.Properties.Body", cx.at(id)));
                cx.body_sources(&mut b, body, id);
                body.clone()
            }
            Some(other) if other.is_string() => {
                // A Body given as a JSON string.
                match serde_json::from_str::<Value>(other.as_str().unwrap_or_default()) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => {
                        return Err(cx.error(
                            &format!("{}.Properties.Body", cx.at(id)),
                            "the Body is a string that is not a JSON OpenAPI document",
                        ))
                    }
                }
            }
            _ => new_doc(ApiKind::Rest, ""),
        };
        if let Some(loc) = props.get("BodyS3Location") {
            b.unresolved.push(Unresolved::undefined(
                &format!("{}.Properties.BodyS3Location", cx.at(id)),
                "OpenAPI definition in S3 (not read offline: inline it as Body, or export the deployed API and pass it with --openapi)",
                &compact(loc),
            ));
        }
        if let Some(src) = props.get("ApiKeySourceType").and_then(Value::as_str) {
            b.doc["x-amazon-apigateway-api-key-source"] = json!(src);
        }
        set_title(&mut b.doc, props.get("Name"));
        // The resource policy and a private endpoint's VPC endpoints, where an export writes
        // them (the properties win over the Body, as they do on deployment).
        if let Some(policy) = props.get("Policy") {
            b.doc[private::X_POLICY] = policy.clone();
        }
        if let Some(ids) = props
            .get("EndpointConfiguration")
            .and_then(|c| c.get("VpcEndpointIds"))
        {
            b.doc[private::X_ENDPOINT_CONFIGURATION] = json!({ "vpcEndpointIds": ids });
        }
        rest_parts(cx, &mut b, id)?;
        out.push(b);
    }
    Ok(out)
}

/// The API's `Name` is its deployed name (over the body's `info.title`); without one the
/// deployed name is not in the template (SAM and CloudFormation name it after the stack or
/// the body), so the title stays as the body has it, or empty: fixes then ask for the id
/// instead of looking up a wrong name.
pub(super) fn set_title(doc: &mut Value, name: Option<&Value>) {
    if !doc.get("info").is_some_and(Value::is_object) {
        doc["info"] = json!({"title": "", "version": "1"});
    }
    if let Some(n) = name.and_then(Value::as_str) {
        doc["info"]["title"] = json!(n);
    }
}

fn name_of(props: &Value, id: &str) -> String {
    props
        .get("Name")
        .and_then(Value::as_str)
        .unwrap_or(id)
        .to_string()
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `v` (a `RestApiId`/`ApiId`) names the API `api`.
fn names(v: Option<&Value>, api: &str) -> bool {
    v.is_some_and(|v| ref_name(v) == Some(api) || get_att(v).is_some_and(|(n, _)| n == api))
}

/// Resources, methods, authorizers, gateway responses, stages of the REST API `api`.
fn rest_parts(cx: &Ctx, b: &mut Built, api: &str) -> Result<(), TemplateError> {
    // Authorizers first: methods name them.
    let mut authorizers: Vec<(String, String)> = Vec::new();
    for (id, raw) in cx.of_type("AWS::ApiGateway::Authorizer") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let name = name_of(&p, id);
        let ty = p
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("TOKEN")
            .to_ascii_uppercase();
        let identity = p.get("IdentitySource").cloned();
        let header = identity
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("method.request.header."))
            .unwrap_or("Authorization")
            .to_string();
        let mut auth = Map::new();
        let authtype = match ty.as_str() {
            "COGNITO_USER_POOLS" => {
                auth.insert("type".into(), json!("cognito_user_pools"));
                if let Some(arns) = p.get("ProviderARNs") {
                    auth.insert("providerARNs".into(), arns.clone());
                }
                "cognito_user_pools"
            }
            "REQUEST" => {
                auth.insert("type".into(), json!("request"));
                "custom"
            }
            _ => {
                auth.insert("type".into(), json!("token"));
                "custom"
            }
        };
        if let Some(i) = identity {
            auth.insert("identitySource".into(), i);
        }
        if let Some(u) = p.get("AuthorizerUri") {
            auth.insert("authorizerUri".into(), u.clone());
        }
        if let Some(t) = p.get("AuthorizerResultTtlInSeconds") {
            auth.insert("authorizerResultTtlInSeconds".into(), t.clone());
        }
        if let Some(e) = p.get("IdentityValidationExpression") {
            auth.insert("identityValidationExpression".into(), e.clone());
        }
        let scheme = json!({
            "type": "apiKey",
            "name": header,
            "in": "header",
            "x-amazon-apigateway-authtype": authtype,
            "x-amazon-apigateway-authorizer": Value::Object(auth),
        });
        add_scheme(&mut b.doc, &name, scheme);
        b.source(
            cx,
            Element::Authorizer { name: name.clone() },
            &cx.at(id),
            id,
        );
        authorizers.push((id.to_string(), name));
    }

    // Resource paths, from the ParentId chains.
    let mut paths: Vec<(String, String)> = Vec::new();
    for (id, raw) in cx.of_type("AWS::ApiGateway::Resource") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        let path = resource_path(cx, id)?;
        b.source(cx, Element::Resource { path: path.clone() }, &cx.at(id), id);
        ensure_path(&mut b.doc, &path);
        paths.push((id.to_string(), path));
    }

    for (id, raw) in cx.of_type("AWS::ApiGateway::Method") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let at = format!("{}.Properties", cx.at(id));
        let path = match raw.pointer("/Properties/ResourceId") {
            Some(v) if get_att(v).is_some_and(|(_, a)| a == "RootResourceId") => "/".to_string(),
            Some(v) => match ref_name(v).and_then(|r| paths.iter().find(|(i, _)| i == r)) {
                Some((_, path)) => path.clone(),
                None => {
                    return Err(cx.error(
                        &format!("{at}.ResourceId"),
                        &format!("{at}.ResourceId: the method's resource is not an AWS::ApiGateway::Resource of this API in the template (expected !Ref to one, or !GetAtt {api}.RootResourceId)"),
                    ))
                }
            },
            None => {
                return Err(cx.error(&at, &format!("{at}: the method has no ResourceId")));
            }
        };
        let verb = p
            .get("HttpMethod")
            .and_then(Value::as_str)
            .unwrap_or("ANY")
            .to_ascii_uppercase();
        let op = rest_operation(b, &p, &authorizers, &at);
        put_operation(&mut b.doc, &path, &verb, op);
        b.source(cx, Element::Method { path, verb }, &cx.at(id), id);
    }

    for (id, raw) in cx.of_type("AWS::ApiGateway::GatewayResponse") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let Some(ty) = p.get("ResponseType").and_then(Value::as_str) else {
            continue;
        };
        let mut gr = Map::new();
        if let Some(s) = p.get("StatusCode") {
            gr.insert("statusCode".into(), s.clone());
        }
        if let Some(s) = p.get("ResponseParameters") {
            gr.insert("responseParameters".into(), s.clone());
        }
        if let Some(s) = p.get("ResponseTemplates") {
            gr.insert("responseTemplates".into(), s.clone());
        }
        put_gateway_response(&mut b.doc, ty, Value::Object(gr));
        b.source(
            cx,
            Element::GatewayResponse {
                response_type: ty.to_string(),
            },
            &cx.at(id),
            id,
        );
    }

    rest_stages(cx, b, api);
    Ok(())
}

/// The stages of a REST API: `AWS::ApiGateway::Stage`, and the stage a
/// `AWS::ApiGateway::Deployment` with `StageName` creates.
fn rest_stages(cx: &Ctx, b: &mut Built, api: &str) {
    for (id, raw) in cx.of_type("AWS::ApiGateway::Stage") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let Some(name) = p.get("StageName").and_then(scalar_text) else {
            continue;
        };
        let mut stage = Stage {
            name: name.clone(),
            ..Stage::default()
        };
        if let Some(vars) = p.get("Variables").and_then(Value::as_object) {
            for (k, v) in vars {
                if let Some(v) = scalar_text(v) {
                    stage.variables.insert(k.clone(), v);
                }
            }
        }
        stage.throttling = method_settings(&p);
        b.source(cx, Element::Stage { name }, &cx.at(id), id);
        b.stages.push(stage);
    }
    for (id, raw) in cx.of_type("AWS::ApiGateway::Deployment") {
        if !names(raw.pointer("/Properties/RestApiId"), api) {
            continue;
        }
        b.source(cx, Element::Deployment, &cx.at(id), id);
        let p = cx.props(id);
        if let Some(name) = p.get("StageName").and_then(scalar_text) {
            if !b.stages.iter().any(|s| s.name == name) {
                b.source(cx, Element::Stage { name: name.clone() }, &cx.at(id), id);
                b.stages.push(Stage {
                    name,
                    ..Stage::default()
                });
            }
        }
    }
}

/// A stage's `MethodSettings` throttling (`ResourcePath` has its slashes encoded as `~1`:
/// `/~1items~1{id}`; `/*` is every resource).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-stage-methodsetting.html>
pub(super) fn method_settings(p: &Value) -> Vec<ThrottleSetting> {
    let mut out = Vec::new();
    for s in p
        .get("MethodSettings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let rate = s.get("ThrottlingRateLimit").and_then(Value::as_f64);
        let burst = s.get("ThrottlingBurstLimit").and_then(Value::as_i64);
        let (Some(rate), Some(burst)) = (rate, burst) else {
            continue;
        };
        let path = match s.get("ResourcePath").and_then(Value::as_str) {
            None | Some("/*") | Some("*") => "*".to_string(),
            Some(p) => {
                let decoded = p.replace("~1", "/");
                match decoded.strip_prefix("//") {
                    Some(rest) => format!("/{rest}"),
                    None => decoded,
                }
            }
        };
        let method = s
            .get("HttpMethod")
            .and_then(Value::as_str)
            .unwrap_or("*")
            .to_string();
        out.push(ThrottleSetting {
            path,
            method,
            rate_limit: rate,
            burst_limit: burst,
        });
    }
    out
}

/// The path of an `AWS::ApiGateway::Resource`: its `PathPart`s up the `ParentId` chain to the
/// API's root (a chain that loops is an error naming it).
fn resource_path(cx: &Ctx, id: &str) -> Result<String, TemplateError> {
    let mut parts: Vec<String> = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let mut current = id.to_string();
    loop {
        if chain.contains(&current) {
            chain.push(current);
            let at = format!("{}.Properties.ParentId", cx.at(id));
            return Err(cx.error(
                &at,
                &format!(
                    "{at}: the resources' ParentId references form a cycle ({}); each resource's parent must lead to the API's RootResourceId",
                    chain.join(" → ")
                ),
            ));
        }
        chain.push(current.clone());
        let raw = cx.resources.get(&current);
        let at = format!("{}.Properties", cx.at(&current));
        let Some(raw) = raw else {
            return Err(cx.error(
                &at,
                &format!("{at}: the parent resource {current} is not defined in the template"),
            ));
        };
        let part = raw
            .pointer("/Properties/PathPart")
            .map(|v| cx.resolver.resolve(v, &format!("{at}.PathPart")))
            .and_then(|v| scalar_text(&v));
        let Some(part) = part else {
            return Err(cx.error(
                &format!("{at}.PathPart"),
                &format!("{at}.PathPart: the resource's path part is missing or not a plain string (pass the parameters it names with --parameter)"),
            ));
        };
        parts.push(part);
        match raw.pointer("/Properties/ParentId") {
            Some(v) if get_att(v).is_some_and(|(_, a)| a == "RootResourceId") => break,
            Some(v) => match ref_name(v) {
                Some(parent) => current = parent.to_string(),
                None => {
                    return Err(cx.error(
                        &format!("{at}.ParentId"),
                        &format!("{at}.ParentId: expected !Ref to a parent resource or !GetAtt Api.RootResourceId"),
                    ))
                }
            },
            None => {
                return Err(cx.error(&at, &format!("{at}: the resource has no ParentId")));
            }
        }
    }
    parts.reverse();
    Ok(format!("/{}", parts.join("/")))
}

pub(super) fn ensure_path(doc: &mut Value, path: &str) {
    if !doc.get("paths").is_some_and(Value::is_object) {
        doc["paths"] = json!({});
    }
    if doc["paths"].get(path).is_none() {
        doc["paths"][path] = json!({});
    }
}

/// Puts `op` on `path`; a path item that is not an object is left as written (the import
/// then says where it is wrong).
pub(super) fn put_operation(doc: &mut Value, path: &str, verb: &str, op: Value) {
    ensure_path(doc, path);
    let key = if verb == "ANY" {
        "x-amazon-apigateway-any-method".to_string()
    } else {
        verb.to_ascii_lowercase()
    };
    if let Some(item) = doc
        .get_mut("paths")
        .and_then(|p| p.get_mut(path))
        .and_then(Value::as_object_mut)
    {
        item.insert(key, op);
    }
}

pub(super) fn put_gateway_response(doc: &mut Value, ty: &str, gr: Value) {
    const KEY: &str = "x-amazon-apigateway-gateway-responses";
    if !doc.get(KEY).is_some_and(Value::is_object) {
        doc[KEY] = json!({});
    }
    doc[KEY][ty] = gr;
}

/// An `AWS::ApiGateway::Method`'s properties as an OpenAPI operation.
fn rest_operation(b: &mut Built, p: &Value, authorizers: &[(String, String)], at: &str) -> Value {
    let mut op = Map::new();
    let mut security: Vec<Value> = Vec::new();
    let auth_type = p
        .get("AuthorizationType")
        .and_then(Value::as_str)
        .unwrap_or("NONE")
        .to_ascii_uppercase();
    let scopes = p
        .get("AuthorizationScopes")
        .cloned()
        .unwrap_or_else(|| json!([]));
    match auth_type.as_str() {
        "AWS_IAM" => {
            op.insert(
                "x-amazon-apigateway-auth".into(),
                json!({"type": "AWS_IAM"}),
            );
        }
        "CUSTOM" | "COGNITO_USER_POOLS" => {
            let named = p.get("AuthorizerId").map(referenced).unwrap_or_default();
            match named
                .iter()
                .find_map(|r| authorizers.iter().find(|(id, _)| id == r))
            {
                Some((_, name)) => security.push(json!({ name.clone(): scopes })),
                None => {
                    // The authorizer is not in the template (an imported id): the method is
                    // guarded, by something the file does not describe.
                    let written = p.get("AuthorizerId").map(compact).unwrap_or_default();
                    let scheme = format!("authorizer {written}");
                    security.push(json!({ scheme.clone(): [] }));
                    b.unresolved.push(Unresolved::undefined(
                        &format!("{at}.AuthorizerId"),
                        "authorizer",
                        &written,
                    ));
                }
            }
        }
        _ => {}
    }
    if p.get("ApiKeyRequired").is_some_and(truthy) {
        add_scheme(
            &mut b.doc,
            "api_key",
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
        security.push(json!({"api_key": []}));
    }
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    let mut responses = Map::new();
    for r in p
        .get("MethodResponses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(code) = r.get("StatusCode").and_then(scalar_text) else {
            continue;
        };
        let mut headers = Map::new();
        for k in r
            .get("ResponseParameters")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if let Some(h) = k.strip_prefix("method.response.header.") {
                headers.insert(h.to_string(), json!({"schema": {"type": "string"}}));
            }
        }
        let mut resp = Map::new();
        resp.insert("description".into(), json!(format!("{code} response")));
        if !headers.is_empty() {
            resp.insert("headers".into(), Value::Object(headers));
        }
        responses.insert(code, Value::Object(resp));
    }
    op.insert("responses".into(), Value::Object(responses));
    if let Some(i) = p.get("Integration") {
        op.insert(
            "x-amazon-apigateway-integration".into(),
            rest_integration(i),
        );
    }
    Value::Object(op)
}

fn truthy(v: &Value) -> bool {
    v.as_bool() == Some(true) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

fn rest_integration(i: &Value) -> Value {
    let mut out = Map::new();
    if let Some(t) = i.get("Type").and_then(Value::as_str) {
        out.insert("type".into(), json!(t.to_ascii_lowercase()));
    }
    for (from, to) in [
        ("IntegrationHttpMethod", "httpMethod"),
        ("Uri", "uri"),
        ("RequestTemplates", "requestTemplates"),
        ("RequestParameters", "requestParameters"),
        ("ContentHandling", "contentHandling"),
        ("TimeoutInMillis", "timeoutInMillis"),
        ("ConnectionType", "connectionType"),
        ("Credentials", "credentials"),
        ("CacheKeyParameters", "cacheKeyParameters"),
    ] {
        if let Some(v) = i.get(from) {
            out.insert(to.into(), v.clone());
        }
    }
    if let Some(pb) = i.get("PassthroughBehavior").and_then(Value::as_str) {
        out.insert("passthroughBehavior".into(), json!(pb.to_ascii_lowercase()));
    }
    let mut responses = Map::new();
    for r in i
        .get("IntegrationResponses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pattern = r
            .get("SelectionPattern")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
            .to_string();
        let mut resp = Map::new();
        if let Some(s) = r.get("StatusCode") {
            resp.insert(
                "statusCode".into(),
                scalar_text(s).map_or_else(|| s.clone(), Value::String),
            );
        }
        if let Some(s) = r.get("ResponseParameters") {
            resp.insert("responseParameters".into(), s.clone());
        }
        if let Some(s) = r.get("ResponseTemplates") {
            resp.insert("responseTemplates".into(), s.clone());
        }
        responses.insert(pattern, Value::Object(resp));
    }
    if !responses.is_empty() {
        out.insert("responses".into(), Value::Object(responses));
    }
    Value::Object(out)
}

/// Every HTTP API (`AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`) with its routes,
/// integrations, authorizers and stages.
pub(super) fn http_apis(cx: &Ctx) -> Result<Vec<Built>, TemplateError> {
    let mut out = Vec::new();
    for (id, _) in cx.of_type("AWS::ApiGatewayV2::Api") {
        let props = cx.props(id);
        let protocol = props
            .get("ProtocolType")
            .and_then(Value::as_str)
            .unwrap_or("HTTP");
        if !protocol.eq_ignore_ascii_case("HTTP") && props.get("Body").is_none() {
            continue;
        }
        let mut b = Built::new(id, "AWS::ApiGatewayV2::Api", ApiKind::Http);
        b.source(cx, Element::Api, &cx.at(id), id);
        b.doc = match props.get("Body") {
            Some(body @ Value::Object(_)) => {
                b.body_at = Some(format!("{}.Properties.Body", cx.at(id)));
                cx.body_sources(&mut b, body, id);
                body.clone()
            }
            _ => new_doc(ApiKind::Http, ""),
        };
        set_title(&mut b.doc, props.get("Name"));
        if let Some(loc) = props.get("BodyS3Location") {
            b.unresolved.push(Unresolved::undefined(
                &format!("{}.Properties.BodyS3Location", cx.at(id)),
                "OpenAPI definition in S3 (not read offline: inline it as Body, or export the deployed API and pass it with --openapi)",
                &compact(loc),
            ));
        }
        if let Some(c) = props.get("CorsConfiguration") {
            b.doc["x-amazon-apigateway-cors"] = http_cors(c);
            b.source(
                cx,
                Element::Cors,
                &format!("{}.Properties.CorsConfiguration", cx.at(id)),
                id,
            );
        }
        // Quick create: `Target` makes a `$default` route and a `$default` stage.
        if let Some(target) = props.get("Target") {
            let op = json!({
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": target,
                    "payloadFormatVersion": "2.0",
                }
            });
            put_operation(&mut b.doc, "/$default", "ANY", op);
            b.source(
                cx,
                Element::Method {
                    path: "$default".into(),
                    verb: "ANY".into(),
                },
                &format!("{}.Properties.Target", cx.at(id)),
                id,
            );
            b.stages.push(Stage {
                name: DEFAULT_STAGE.into(),
                auto_deploy: true,
                ..Stage::default()
            });
        }
        http_parts(cx, &mut b, id);
        out.push(b);
    }
    Ok(out)
}

/// `AWS::ApiGatewayV2::Api.Cors` (and SAM's `CorsConfiguration` object) → `x-amazon-apigateway-cors`.
pub(super) fn http_cors(c: &Value) -> Value {
    let mut out = Map::new();
    for (from, to) in [
        ("AllowOrigins", "allowOrigins"),
        ("AllowMethods", "allowMethods"),
        ("AllowHeaders", "allowHeaders"),
        ("ExposeHeaders", "exposeHeaders"),
        ("MaxAge", "maxAge"),
        ("AllowCredentials", "allowCredentials"),
    ] {
        if let Some(v) = c.get(from) {
            out.insert(to.into(), v.clone());
        }
    }
    Value::Object(out)
}

fn http_parts(cx: &Ctx, b: &mut Built, api: &str) {
    let mut schemes: Vec<(String, String)> = Vec::new();
    for (id, raw) in cx.of_type("AWS::ApiGatewayV2::Authorizer") {
        if !names(raw.pointer("/Properties/ApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let name = name_of(&p, id);
        let identity = p
            .get("IdentitySource")
            .and_then(|v| v.as_array().and_then(|a| a.first()).or(Some(v)))
            .cloned()
            .unwrap_or_else(|| json!("$request.header.Authorization"));
        let ty = p
            .get("AuthorizerType")
            .and_then(Value::as_str)
            .unwrap_or("JWT")
            .to_ascii_uppercase();
        let scheme = if ty == "JWT" {
            let jwt = p.get("JwtConfiguration").cloned().unwrap_or(json!({}));
            json!({
                "type": "oauth2",
                "flows": {},
                "x-amazon-apigateway-authorizer": {
                    "type": "jwt",
                    "identitySource": identity,
                    "jwtConfiguration": {
                        "issuer": jwt.get("Issuer").cloned().unwrap_or(Value::Null),
                        "audience": jwt.get("Audience").cloned().unwrap_or(json!([])),
                    }
                }
            })
        } else {
            let mut a = json!({"type": "request", "identitySource": identity});
            if let Some(u) = p.get("AuthorizerUri") {
                a["authorizerUri"] = u.clone();
            }
            if let Some(v) = p.get("AuthorizerPayloadFormatVersion") {
                a["authorizerPayloadFormatVersion"] = v.clone();
            }
            json!({"type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authorizer": a})
        };
        add_scheme(&mut b.doc, &name, scheme);
        b.source(
            cx,
            Element::Authorizer { name: name.clone() },
            &cx.at(id),
            id,
        );
        schemes.push((id.to_string(), name));
    }
    let mut integrations: Vec<(String, Value)> = Vec::new();
    for (id, raw) in cx.of_type("AWS::ApiGatewayV2::Integration") {
        if !names(raw.pointer("/Properties/ApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let mut i = Map::new();
        if let Some(t) = p.get("IntegrationType").and_then(Value::as_str) {
            i.insert("type".into(), json!(t.to_ascii_lowercase()));
        }
        if let Some(u) = p.get("IntegrationUri") {
            i.insert("uri".into(), u.clone());
        }
        i.insert(
            "httpMethod".into(),
            p.get("IntegrationMethod").cloned().unwrap_or(json!("POST")),
        );
        i.insert(
            "payloadFormatVersion".into(),
            p.get("PayloadFormatVersion")
                .cloned()
                .unwrap_or(json!("2.0")),
        );
        integrations.push((id.to_string(), Value::Object(i)));
    }
    for (id, raw) in cx.of_type("AWS::ApiGatewayV2::Route") {
        if !names(raw.pointer("/Properties/ApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let Some(key) = p.get("RouteKey").and_then(Value::as_str) else {
            continue;
        };
        let (verb, path) = match key.split_once(' ') {
            Some((v, path)) => (v.to_ascii_uppercase(), path.to_string()),
            None => ("ANY".to_string(), key.to_string()),
        };
        let doc_path = if path == "$default" {
            "/$default".to_string()
        } else {
            path.clone()
        };
        let mut op = Map::new();
        let named = p.get("Target").map(referenced).unwrap_or_default();
        if let Some((_, i)) = named
            .iter()
            .find_map(|r| integrations.iter().find(|(id, _)| id == r))
        {
            op.insert("x-amazon-apigateway-integration".into(), i.clone());
        }
        let auth = p
            .get("AuthorizationType")
            .and_then(Value::as_str)
            .unwrap_or("NONE")
            .to_ascii_uppercase();
        match auth.as_str() {
            "AWS_IAM" => {
                op.insert(
                    "x-amazon-apigateway-auth".into(),
                    json!({"type": "AWS_IAM"}),
                );
            }
            "JWT" | "CUSTOM" => {
                let named = p.get("AuthorizerId").map(referenced).unwrap_or_default();
                let scopes = p
                    .get("AuthorizationScopes")
                    .cloned()
                    .unwrap_or_else(|| json!([]));
                if let Some((_, name)) = named
                    .iter()
                    .find_map(|r| schemes.iter().find(|(id, _)| id == r))
                {
                    op.insert("security".into(), json!([{ name.clone(): scopes }]));
                }
            }
            _ => {}
        }
        put_operation(&mut b.doc, &doc_path, &verb, Value::Object(op));
        let element_path = if path == "$default" {
            crate::gateway::model::DEFAULT_ROUTE.to_string()
        } else {
            path.clone()
        };
        b.source(
            cx,
            Element::Method {
                path: element_path.clone(),
                verb,
            },
            &cx.at(id),
            id,
        );
        b.source(cx, Element::Resource { path: element_path }, &cx.at(id), id);
    }
    for (id, raw) in cx.of_type("AWS::ApiGatewayV2::Stage") {
        if !names(raw.pointer("/Properties/ApiId"), api) {
            continue;
        }
        let p = cx.props(id);
        let Some(name) = p.get("StageName").and_then(scalar_text) else {
            continue;
        };
        b.source(cx, Element::Stage { name: name.clone() }, &cx.at(id), id);
        b.stages.retain(|s| s.name != name);
        b.stages.push(Stage {
            name,
            auto_deploy: p.get("AutoDeploy").is_some_and(truthy),
            ..Stage::default()
        });
    }
}
