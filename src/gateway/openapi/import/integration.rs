//! Integrations (and their responses), gateway responses and an HTTP API's CORS
//! configuration.

use serde_json::{Map, Value};

use super::cx::{as_code, as_obj, as_string, err, join, kind_of, template_map, Cx};
use super::operation::route_path;
use crate::gateway::model::{
    intrinsic_name, CorsConfiguration, GatewayResponse, Integration, IntegrationResponse,
    IntegrationType,
};
use crate::gateway::openapi::{ImportError, X_CORS};

/// Whether the diagnosis reads an integration/gateway response parameter: the CORS headers.
pub(super) fn cors_parameter(key: &str) -> bool {
    key.rsplit('.')
        .next()
        .is_some_and(|h| h.len() > 15 && h[..15].eq_ignore_ascii_case("access-control-"))
}

pub(super) fn import_integration(cx: &Cx, v: &Value, p: &str) -> Result<Integration, ImportError> {
    let (obj, p) = cx.object(v, p)?;
    let tp = join(&p, "type");
    let Some(t) = obj.get("type") else {
        return err(
            &p,
            "missing `type` (mock, aws_proxy, http_proxy, http or aws)",
        );
    };
    if let Some(f) = intrinsic_name(t) {
        return err(&tp, format!("the integration type is a CloudFormation {f} value; cors-doctor needs it written out (mock, aws_proxy, http_proxy, http or aws)"));
    }
    let t = as_string(t, &tp)?;
    let kind = IntegrationType::parse(&t).map_or_else(
        || err(&tp, format!("unknown integration type '{t}' (expected mock, aws_proxy, http_proxy, http or aws)")),
        Ok,
    )?;
    let mut i = Integration::new(kind);
    let verb = cx.route.borrow().as_ref().map(|(_, v)| v.clone());
    let route = format!("{} {}", verb.as_deref().unwrap_or("?"), route_path(cx));
    let mut extra = Map::new();
    for (k, v) in obj {
        let kp = join(&p, k);
        match k.as_str() {
            "type" => {}
            "httpMethod" => i.http_method = cx.text(v, &kp, k, &mut extra, None)?,
            "uri" => i.uri = cx.text(v, &kp, k, &mut extra, None)?,
            "requestTemplates" => {
                let needed = kind == IntegrationType::Mock;
                let what = format!("the MOCK request template of {route}");
                let step = if verb.as_deref() == Some("OPTIONS") {
                    3
                } else {
                    5
                };
                let map = cx.text_map(v, &kp, k, &mut extra, &|_| {
                    needed.then(|| (step, what.clone()))
                })?;
                // Null templates (the console writes them) are kept as null.
                let nulls = as_obj(v, &kp)?
                    .iter()
                    .filter(|(_, tv)| tv.is_null())
                    .map(|(tk, _)| (tk.clone(), None));
                i.request_templates = map
                    .into_iter()
                    .map(|(k, v)| (k, Some(v)))
                    .chain(nulls)
                    .collect();
            }
            "requestParameters" => {
                i.request_parameters = cx.text_map(v, &kp, k, &mut extra, &|_| None)?
            }
            "passthroughBehavior" => {
                i.passthrough_behavior = cx.text(v, &kp, k, &mut extra, None)?
            }
            "payloadFormatVersion" if intrinsic_name(v).is_some() => {
                cx.text(v, &kp, k, &mut extra, None)?;
            }
            "payloadFormatVersion" => i.payload_format_version = Some(as_code(v, &kp)?),
            "responses" => {
                let (responses, kp) = cx.object(v, &kp)?;
                for (pattern, r) in responses {
                    let (r, rp) = cx.object(r, &join(&kp, pattern))?;
                    let mut ir = IntegrationResponse {
                        selection_pattern: pattern.clone(),
                        ..Default::default()
                    };
                    let mut raw = Map::new();
                    for (rk, rv) in r {
                        let rkp = join(&rp, rk);
                        match rk.as_str() {
                            "statusCode" if intrinsic_name(rv).is_some() => {
                                let what = format!(
                                    "the status code of {route}'s integration response '{pattern}'"
                                );
                                cx.text(rv, &rkp, rk, &mut raw, Some((5, what)))?;
                                ir.status_code = "?".into();
                            }
                            "statusCode" => ir.status_code = as_code(rv, &rkp)?,
                            "responseParameters" => {
                                ir.response_parameters =
                                    cx.text_map(rv, &rkp, rk, &mut raw, &|key| {
                                        cors_parameter(key).then(|| {
                                            (
                                                5,
                                                format!(
                                                    "the {} mapping of {route}",
                                                    key.rsplit('.').next().unwrap_or(key)
                                                ),
                                            )
                                        })
                                    })?
                            }
                            "responseTemplates" => ir.response_templates = template_map(rv, &rkp)?,
                            _ => {
                                raw.insert(rk.clone(), rv.clone());
                            }
                        }
                    }
                    ir.extra = raw.into();
                    if ir.status_code.is_empty() {
                        return err(&rp, "missing `statusCode`");
                    }
                    i.responses.push(ir);
                }
                i.responses.shrink_to_fit();
            }
            _ => {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    i.extra = extra.into();
    Ok(i)
}

pub(super) fn import_gateway_response(
    cx: &Cx,
    ty: &str,
    v: &Value,
    p: &str,
) -> Result<GatewayResponse, ImportError> {
    let mut g = GatewayResponse {
        response_type: ty.to_string(),
        ..Default::default()
    };
    let (obj, p) = cx.object(v, p)?;
    let mut raw = Map::new();
    for (k, v) in obj {
        let kp = join(&p, k);
        match k.as_str() {
            "statusCode" if intrinsic_name(v).is_some() => {
                cx.text(
                    v,
                    &kp,
                    k,
                    &mut raw,
                    Some((6, format!("the status code of the {ty} gateway response"))),
                )?;
            }
            "statusCode" => g.status_code = Some(as_code(v, &kp)?),
            "responseParameters" => {
                g.response_parameters = cx.text_map(v, &kp, k, &mut raw, &|key| {
                    cors_parameter(key).then(|| {
                        (
                            6,
                            format!(
                                "the {} of the {ty} gateway response",
                                key.rsplit('.').next().unwrap_or(key)
                            ),
                        )
                    })
                })?
            }
            "responseTemplates" => g.response_templates = template_map(v, &kp)?,
            _ => {
                raw.insert(k.clone(), v.clone());
            }
        }
    }
    g.extra.extend(raw);
    Ok(g)
}

pub(super) fn import_cors(
    cx: &Cx,
    v: &Value,
    p: &str,
    api_extra: &mut Map<String, Value>,
) -> Result<CorsConfiguration, ImportError> {
    let mut c = CorsConfiguration::default();
    // A CloudFormation value anywhere in the configuration: the whole object is written back.
    let mut raw = Map::new();
    let need = |what: &str| Some((5, format!("the cors_configuration's {what}")));
    for (k, v) in as_obj(v, p)? {
        let kp = join(p, k);
        match k.as_str() {
            "allowOrigins" => c.allow_origins = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "allowMethods" => c.allow_methods = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "allowHeaders" => c.allow_headers = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "exposeHeaders" => c.expose_headers = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "maxAge" | "allowCredentials" if intrinsic_name(v).is_some() => {
                cx.text(v, &kp, k, &mut raw, need(k))?;
            }
            "maxAge" => {
                c.max_age = Some(v.as_i64().map_or_else(
                    || err(&kp, format!("expected an integer, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            "allowCredentials" => {
                c.allow_credentials = Some(v.as_bool().map_or_else(
                    || err(&kp, format!("expected a boolean, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            _ => return err(&kp, "unknown field of x-amazon-apigateway-cors (expected allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials)"),
        }
    }
    if !raw.is_empty() {
        // Docs: x-amazon-apigateway-cors; written back raw so the export keeps the values.
        if let Ok(original) = serde_json::to_value(as_obj(v, p)?) {
            api_extra.insert(X_CORS.to_string(), original);
        }
    }
    Ok(c)
}
