//! Facts only the whole API shows (no single request meets them): changes the stage does not
//! serve, a Terraform deployment without `triggers`, origins that no app should be trusted
//! from.

use super::{LintFinding, Route};
use crate::diagnose::{remedy, FindingCode, Remediation, Severity};
use crate::gateway::model::{Api, ApiKind, Element, Resource};

/// At most this many changed routes are named in one message.
const NAMED_ROUTES: usize = 5;

pub(super) fn check(api: &Api) -> Vec<LintFinding> {
    let mut out = Vec::new();
    deployments(api, &mut out);
    origins(api, &mut out);
    out
}

/// Stages that serve a deployment older than the working copy, and deployments nothing
/// redeploys.
fn deployments(api: &Api, out: &mut Vec<LintFinding>) {
    let deployment_source = api.source_of(&Element::Deployment).cloned();
    let mut flagged_no_triggers = false;
    for stage in &api.stages {
        if stage.auto_deploy {
            continue;
        }
        let Some(d) = stage
            .deployment_id
            .as_deref()
            .and_then(|id| api.deployment(id))
        else {
            continue;
        };
        let no_triggers = d.redeployed_on_change == Some(false);
        if let Some(snapshot) = &d.snapshot {
            let changed = changed_routes(&api.resources, &snapshot.resources);
            let gateway_changed = snapshot.gateway_responses != api.gateway_responses;
            if changed.is_empty() && !gateway_changed {
                continue;
            }
            let mut what: Vec<String> = changed
                .iter()
                .take(NAMED_ROUTES)
                .map(|r| format!("{} {}", r.method, r.path))
                .collect();
            if changed.len() > NAMED_ROUTES {
                what.push(format!("{} more", changed.len() - NAMED_ROUTES));
            }
            if gateway_changed {
                what.push("gateway responses".to_string());
            }
            let (severity, message, fix) = if no_triggers {
                (
                    Severity::Error,
                    format!(
                        "Stage {} keeps serving deployment {}, which this plan does not replace: the changes to {} never reach the stage (the deployment has no triggers).",
                        stage.name,
                        d.id,
                        what.join(", ")
                    ),
                    terraform_triggers_fix(api, &stage.name),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "Stage {} serves deployment {}, which lacks the working copy's changes to {}: deploy the API to the stage for them to take effect.",
                        stage.name,
                        d.id,
                        what.join(", ")
                    ),
                    remedy::remediation(
                        format!(
                            "Deploy the API to stage {} (in a template: a new deployment resource, which is what the snippets show).",
                            stage.name
                        ),
                        remedy::deploy_api(api, Some(&stage.name)),
                        Some(api),
                    ),
                )
            };
            flagged_no_triggers |= no_triggers;
            out.push(LintFinding {
                code: FindingCode::UndeployedChanges,
                severity,
                step: 3,
                message,
                route: None,
                stage: Some(stage.name.clone()),
                origin: None,
                routes_affected: Some(changed.len()),
                source: deployment_source.clone(),
                remediation: Some(fix),
            });
        }
    }
    if !flagged_no_triggers {
        if let Some(d) = api
            .deployments
            .iter()
            .find(|d| d.redeployed_on_change == Some(false))
        {
            // The stage that serves it, when one does.
            let stage = api
                .stages
                .iter()
                .find(|s| s.deployment_id.as_deref() == Some(d.id.as_str()))
                .map(|s| s.name.clone());
            out.push(LintFinding {
                code: FindingCode::DeploymentNoTriggers,
                severity: Severity::Warning,
                step: 3,
                message: format!(
                    "Deployment {} has no triggers: Terraform will not redeploy the API when its methods change, so later changes (a new OPTIONS method, a CORS header mapping) never reach the stage.",
                    d.id
                ),
                route: None,
                stage: None,
                origin: None,
                routes_affected: None,
                source: deployment_source,
                remediation: Some(terraform_triggers_fix(api, stage.as_deref().unwrap_or(""))),
            });
        }
    }
}

/// The fix of a Terraform deployment nothing redeploys: `triggers` on the deployment (the
/// Terraform snippet names the plan's own resources) and, for now, a deployment of the stage.
/// See <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_deployment>
/// ("Terraform … will not automatically redeploy … use the `triggers` argument").
fn terraform_triggers_fix(api: &Api, stage: &str) -> Remediation {
    let stage = (!stage.is_empty()).then_some(stage);
    remedy::remediation(
        "Give aws_api_gateway_deployment a triggers map that changes whenever a method, integration or response changes, with lifecycle { create_before_destroy = true } (the Terraform snippet); until that is applied, deploy the stage once (the commands).",
        remedy::deploy_api(api, stage),
        Some(api),
    )
}

/// Routes that differ between the working copy and a snapshot (added, removed or changed).
fn changed_routes(working: &[Resource], snapshot: &[Resource]) -> Vec<Route> {
    let mut out = Vec::new();
    for r in working {
        let before = snapshot.iter().find(|s| s.path == r.path);
        for m in &r.methods {
            let old = before.and_then(|b| b.method(&m.http_method));
            if old != Some(m) {
                out.push(Route {
                    path: r.path.clone(),
                    method: m.http_method.clone(),
                });
            }
        }
    }
    for s in snapshot {
        let now = working.iter().find(|w| w.path == s.path);
        for m in &s.methods {
            if now.and_then(|w| w.method(&m.http_method)).is_none() {
                out.push(Route {
                    path: s.path.clone(),
                    method: m.http_method.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Origins no app should be trusted from: `null` (sandboxed iframes, `file:` pages, some
/// redirects send it) and a wildcard together with credentials.
/// <https://fetch.spec.whatwg.org/#http-access-control-allow-origin>; AWS: "AllowCredentials
/// … cannot be used with a wildcard origin" for HTTP APIs
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>).
fn origins(api: &Api, out: &mut Vec<LintFinding>) {
    let risk = |message: String, route: Option<Route>, element: Element| LintFinding {
        code: FindingCode::CorsSecurityRisk,
        severity: Severity::Warning,
        step: 5,
        message,
        route,
        stage: None,
        origin: None,
        routes_affected: None,
        source: api.source_of(&element).cloned(),
        remediation: Some(Remediation {
            text: "Allow only the origins of your apps, written out (https://app.example.com)."
                .to_string(),
            commands: Vec::new(),
            ..Default::default()
        }),
    };
    if api.kind == ApiKind::Http {
        if let Some(c) = &api.cors {
            if c.allow_origins.iter().any(|o| o.trim() == "null") {
                out.push(risk(
                    "cors_configuration allows the origin null: any sandboxed iframe or file: page can call the API.".to_string(),
                    None,
                    Element::Cors,
                ));
            }
            let wildcard = c
                .allow_origins
                .iter()
                .any(|o| o == "*" || o.ends_with("://*"));
            if wildcard && c.allow_credentials == Some(true) {
                out.push(risk(
                    "cors_configuration allows credentials together with a wildcard origin: every site on the web could read credentialed responses (API Gateway refuses * with credentials; a scheme wildcard such as https://* lets any HTTPS site in).".to_string(),
                    None,
                    Element::Cors,
                ));
            }
        }
    }
    for r in &api.resources {
        for m in &r.methods {
            let Some(i) = &m.integration else { continue };
            for ir in &i.responses {
                let Some(origin) = ir.mapped_header("Access-Control-Allow-Origin") else {
                    continue;
                };
                let value = origin.trim().trim_matches('\'');
                let credentials = ir
                    .mapped_header("Access-Control-Allow-Credentials")
                    .is_some_and(|v| v.trim_matches('\'').eq_ignore_ascii_case("true"));
                let route = Route {
                    path: r.path.clone(),
                    method: m.http_method.clone(),
                };
                let element = Element::Method {
                    path: r.path.clone(),
                    verb: m.http_method.clone(),
                };
                if value == "null" {
                    out.push(risk(
                        format!("{} {} maps Access-Control-Allow-Origin to 'null': any sandboxed iframe or file: page can read the response.", m.http_method, r.path),
                        Some(route),
                        element,
                    ));
                } else if origin.trim().starts_with("method.request.header.Origin") && credentials {
                    out.push(risk(
                        format!("{} {} reflects the request's Origin into Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true: every site can make credentialed calls and read the answers.", m.http_method, r.path),
                        Some(route),
                        element,
                    ));
                }
            }
        }
    }
}
