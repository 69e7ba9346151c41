//! Terraform HCL (hashicorp/aws provider): new resources in full, and for resources that exist
//! the block with the attributes to set, marked to merge.
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_integration_response>
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_gateway_response>
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_api#cors_configuration>

use super::cloudformation::{mock_template, static_value, wrap_comment};
use super::digest::{Digest, MethodPatch};
use super::names::{Named, Names};
use super::text::{hcl_str, one_line};
use crate::gateway::change::HeaderValue;
use crate::gateway::model::ApiKind;

/// An HCL file being written.
struct File {
    out: String,
    /// Expressions whose values make the deployment's trigger (`aws_….x.id`).
    touched: Vec<String>,
}

impl File {
    fn comment(&mut self, text: &str) {
        self.out.push_str(&wrap_comment(text));
    }

    /// `resource "type" "label" {` … `}` with `attrs` (already indented lines).
    fn block(&mut self, address: &str, note: &str, attrs: &[String]) {
        let (ty, label) = address.rsplit_once('.').unwrap_or((address, "this"));
        // A module path in front (`module.x.aws_…`) is not part of the block's type.
        let ty = ty.rsplit('.').next().unwrap_or(ty);
        self.out.push('\n');
        self.comment(note);
        self.out
            .push_str(&format!("resource {} {} {{\n", hcl_str(ty), hcl_str(label)));
        for a in attrs {
            self.out.push_str(a);
            self.out.push('\n');
        }
        self.out.push_str("}\n");
    }
}

fn map(entries: &[(String, String)]) -> String {
    if entries.is_empty() {
        return "{}".to_string();
    }
    let width = entries
        .iter()
        .map(|(k, _)| hcl_str(k).len())
        .max()
        .unwrap_or(0);
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("    {:width$} = {v}", hcl_str(k)))
        .collect();
    format!("{{\n{}\n  }}", body.join("\n"))
}

fn declared(headers: &[String]) -> String {
    map(&headers
        .iter()
        .map(|h| (format!("method.response.header.{h}"), "false".to_string()))
        .collect::<Vec<_>>())
}

fn mapped(prefix: &str, headers: &[HeaderValue]) -> String {
    map(&headers
        .iter()
        .map(|h| {
            (
                format!("{prefix}{}", h.name),
                hcl_str(&static_value(&h.value)),
            )
        })
        .collect::<Vec<_>>())
}

fn attr(name: &str, value: impl AsRef<str>) -> String {
    format!("  {name} = {}", value.as_ref())
}

fn rest_method(f: &mut File, n: &Names, api: &Named, p: &MethodPatch) {
    let path = &p.resource.path;
    let base = n.tf_method_label(path, &p.verb);
    let what = format!("{} {path}", p.verb);
    let exists = |from: &Named| match &from.from {
        Some(src) => format!("exists ({src}): merge these attributes into it"),
        None => "exists: merge these attributes into yours".to_string(),
    };
    if !p.resource.path_known {
        f.comment(&format!(
            "{path} is the URL's path: if a stage, custom-domain base path or proxy prefix stands in front of the resource path, use the resource of the rest of it."
        ));
    }
    let resource_id = match n.tf_resource(path) {
        Some(r) => format!("{}.id", r.id),
        None => format!("{}.root_resource_id", api.id),
    };
    let rest_api_id = format!("{}.id", api.id);
    let method_address = format!("aws_api_gateway_method.{}", base.id);
    let http_method = if p.create {
        format!("{method_address}.http_method")
    } else {
        hcl_str(&p.verb)
    };
    let ids = |extra: &[String]| {
        let mut v = vec![
            attr("rest_api_id", &rest_api_id),
            attr("resource_id", &resource_id),
            attr("http_method", &http_method),
        ];
        v.extend_from_slice(extra);
        v
    };
    if p.create || p.authorization_off || p.api_key_off {
        let mut attrs = vec![
            attr("rest_api_id", &rest_api_id),
            attr("resource_id", &resource_id),
            attr("http_method", hcl_str("OPTIONS")),
        ];
        if p.create || p.authorization_off {
            attrs.push(attr("authorization", hcl_str("NONE")));
        }
        if p.create || p.api_key_off {
            attrs.push(attr("api_key_required", "false"));
        }
        let note = if p.create {
            format!(
                "New: {what}, no authorization, no API key (a preflight carries no credentials)."
            )
        } else {
            format!(
                "OPTIONS {path} {}; also remove authorizer_id and authorization_scopes from it. Only this OPTIONS method changes.",
                exists(&base)
            )
        };
        f.block(&method_address, &note, &attrs);
        f.touched.push(format!("{method_address}.id"));
    }
    for d in &p.declared {
        let address = format!(
            "aws_api_gateway_method_response.{}_{}",
            base.id,
            label(d.status)
        );
        let note = if d.create {
            format!(
                "New: the {} response of {what} declares the CORS headers.",
                d.status
            )
        } else {
            format!(
                "The {} method response of {what} {}.",
                d.status,
                exists(&base)
            )
        };
        f.block(
            &address,
            &note,
            &ids(&[
                attr("status_code", hcl_str(d.status)),
                attr("response_parameters", declared(d.headers)),
            ]),
        );
        f.touched.push(format!("{address}.id"));
    }
    let integration_address = format!("aws_api_gateway_integration.{}", base.id);
    if let Some(status) = p.mock_status {
        f.block(
            &integration_address,
            &format!("New: a MOCK integration for {what} answers {status}."),
            &ids(&[
                attr("type", hcl_str("MOCK")),
                attr(
                    "request_templates",
                    map(&[(
                        "application/json".to_string(),
                        hcl_str(&mock_template(status)),
                    )]),
                ),
            ]),
        );
        f.touched.push(format!("{integration_address}.id"));
    }
    for r in &p.mapped {
        let address = format!(
            "aws_api_gateway_integration_response.{}_{}",
            base.id,
            label(r.status)
        );
        let note = if r.create {
            format!(
                "New: the {} integration response of {what} maps the CORS headers.",
                r.status
            )
        } else {
            format!(
                "The {} integration response of {what} {}.",
                r.status,
                exists(&base)
            )
        };
        let mut extra = vec![
            attr("status_code", hcl_str(r.status)),
            attr(
                "response_parameters",
                mapped("method.response.header.", r.headers),
            ),
        ];
        if p.mock_status.is_some() {
            extra.push(attr("depends_on", format!("[{integration_address}]")));
        }
        f.block(&address, &note, &ids(&extra));
        f.touched.push(format!("{address}.id"));
    }
}

/// A label part from a status (`200`, `4\d{2}` → `4_d_2`).
fn label(s: &str) -> String {
    let l: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if l.is_empty() {
        "default".to_string()
    } else {
        l
    }
}

fn rest(f: &mut File, d: &Digest, n: &Names) {
    let api = n.tf_api();
    f.comment(&format!(
        "{}: {} ({}).",
        n.api_words(),
        api.id,
        api.provenance()
    ));
    for p in &d.methods {
        rest_method(f, n, &api, p);
    }
    for g in &d.gateway {
        let named = n.tf_gateway_response(g.response_type);
        let note = if g.create {
            format!(
                "New: API Gateway's own {} answers carry the CORS headers.",
                one_line(g.response_type)
            )
        } else {
            format!(
                "{} is customized already: merge these response_parameters into it (keep its status_code and response_templates).",
                one_line(g.response_type)
            )
        };
        f.block(
            &named.id,
            &note,
            &[
                attr("rest_api_id", format!("{}.id", api.id)),
                attr("response_type", hcl_str(g.response_type)),
                attr(
                    "response_parameters",
                    mapped("gatewayresponse.header.", g.headers),
                ),
            ],
        );
        f.touched.push(format!("{}.id", named.id));
    }
    if let Some(stage) = d.deploy {
        deployment(f, n, &api, stage, "rest_api_id");
    }
}

fn deployment(f: &mut File, n: &Names, api: &Named, stage: Option<&str>, api_attr: &str) {
    let named = n.tf_deployment();
    let mut ids = f.touched.clone();
    let mut hint = String::new();
    if ids.is_empty() {
        // Nothing changes but the deployment: the stage serves an older one. The triggers
        // follow the plan's own methods, integrations and responses when it names them.
        let parts = n.tf_api_parts();
        hint = format!(
            " Nothing else changes: redeploy now with terraform apply -replace={}{}.",
            named.id,
            if parts.is_empty() {
                ", and list the ids of the API's methods, integrations and responses in the triggers so that it follows them from now on"
            } else {
                "; the triggers follow every attribute of the API's resources, methods and gateway responses from now on (add your aws_api_gateway_integration and _response resources to the list the same way)"
            }
        );
        if parts.is_empty() {
            ids.push(format!("{}.body", api.id));
        } else {
            // Whole resources, not their ids: a method's id stays when its authorization or
            // API key setting changes, its attributes do not.
            ids.extend(parts);
        }
    }
    let stage = match stage {
        Some(s) => format!("the stage {}", one_line(s)),
        None => "the stage".to_string(),
    };
    let trigger = format!(
        "sha1(jsonencode([\n      {},\n    ]))",
        ids.join(",\n      ")
    );
    f.block(
        &named.id,
        &format!(
            "Hint: {stage} serves a deployment, which Terraform replaces only when its triggers change: add these to your deployment's triggers (create_before_destroy keeps the stage served meanwhile).{hint}"
        ),
        &[
            attr(api_attr, format!("{}.id", api.id)),
            "  triggers = {".to_string(),
            format!("    redeployment = {trigger}"),
            "  }".to_string(),
            "  lifecycle {".to_string(),
            "    create_before_destroy = true".to_string(),
            "  }".to_string(),
        ],
    );
}

fn list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| hcl_str(s)).collect::<Vec<_>>().join(", ")
    )
}

fn http(f: &mut File, d: &Digest, n: &Names) {
    let api = n.tf_api();
    f.comment(&format!(
        "{}: {} ({}).",
        n.api_words(),
        api.id,
        api.provenance()
    ));
    if let Some(c) = d.cors {
        let mut attrs = vec![
            "  cors_configuration {".to_string(),
            format!("    allow_origins = {}", list(&c.allow_origins)),
        ];
        if !c.allow_methods.is_empty() {
            attrs.push(format!("    allow_methods = {}", list(&c.allow_methods)));
        }
        if !c.allow_headers.is_empty() {
            attrs.push(format!("    allow_headers = {}", list(&c.allow_headers)));
        }
        if !c.expose_headers.is_empty() {
            attrs.push(format!("    expose_headers = {}", list(&c.expose_headers)));
        }
        if let Some(m) = c.max_age {
            attrs.push(format!("    max_age = {m}"));
        }
        if let Some(b) = c.allow_credentials {
            attrs.push(format!("    allow_credentials = {b}"));
        }
        attrs.push("  }".to_string());
        f.block(
            &api.id,
            "The API exists: set this cors_configuration block in it (API Gateway then answers preflights itself, and ignores the backend's CORS headers).",
            &attrs,
        );
        f.touched
            .push(format!("jsonencode({}.cors_configuration)", api.id));
    }
    for r in &d.routes {
        let named = n.tf_route(r.route_key);
        let mut attrs = vec![
            attr("api_id", format!("{}.id", api.id)),
            attr("route_key", hcl_str(r.route_key)),
            attr("authorization_type", hcl_str("NONE")),
        ];
        let note = if r.create {
            let like = r.like_route.unwrap_or("$default");
            let integration = n.tf_integration(like);
            attrs.push(attr(
                "target",
                format!("\"integrations/${{{}.id}}\"", integration.id),
            ));
            format!(
                "New: {} without authorization answers the browser's preflight, with the integration of the route {} ({}).",
                one_line(r.route_key),
                one_line(like),
                integration.id
            )
        } else {
            format!(
                "{} exists: set authorization_type and remove authorizer_id and authorization_scopes (this OPTIONS route only).",
                one_line(r.route_key)
            )
        };
        f.block(&named.id, &note, &attrs);
        f.touched.push(format!("{}.id", named.id));
    }
    if let Some(stage) = d.deploy {
        deployment(f, n, &api, stage, "api_id");
        f.comment("Or set auto_deploy = true on the aws_apigatewayv2_stage, which then deploys every change.");
    }
}

pub(super) fn render(d: &Digest, n: &Names) -> String {
    let mut f = File {
        out: String::new(),
        touched: Vec::new(),
    };
    f.comment(&format!(
        "cors-doctor fix, Terraform (hashicorp/aws): {}. New resources in full; merge the ones marked \"exists\" into yours.",
        n.api_words()
    ));
    match d.kind {
        ApiKind::Rest => rest(&mut f, d, n),
        ApiKind::Http => http(&mut f, d, n),
    }
    f.out
}
