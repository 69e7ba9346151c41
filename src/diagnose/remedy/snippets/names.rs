//! What each snippet calls the objects it patches: the logical id (CloudFormation, SAM) or
//! Terraform address the template or plan gave them ([`Api::sources`]), else a name derived
//! from the path, marked as assumed.

use crate::gateway::change::ChangeSet;
use crate::gateway::model::{Api, ApiKind, Element, IntegrationType};

use super::text::one_line;

/// A name and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Named {
    pub id: String,
    /// `template.yaml:12` when the name was read from the input, `None` when derived.
    pub from: Option<String>,
}

impl Named {
    fn derived(id: String) -> Self {
        Named { id, from: None }
    }

    /// ` (template.yaml:12)` or ` (name assumed: use yours)`.
    pub fn provenance(&self) -> String {
        match &self.from {
            Some(f) => format!("from {f}"),
            None => "name assumed: use yours".to_string(),
        }
    }
}

/// The names of one change set's objects, from the model when it has them.
pub(super) struct Names<'a> {
    pub api: Option<&'a Api>,
    pub kind: ApiKind,
    pub api_id: Option<String>,
    pub api_name: Option<String>,
    pub region: Option<String>,
}

/// A CloudFormation logical id: alphanumeric, at most 255 characters.
fn is_logical_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A Terraform address of `ty` (`aws_api_gateway_method.items_options`, a module path in
/// front allowed), without an index.
fn is_tf_address(s: &str, ty: &str) -> bool {
    let Some((t, name)) = s.rsplit_once('.') else {
        return false;
    };
    (t == ty || t.ends_with(&format!(".{ty}")))
        && !name.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

/// `/items/{id}` → `["items", "id"]`, keeping only letters and digits of each segment.
fn words(path: &str) -> Vec<String> {
    path.split(['/', '-', '_', '.', '{', '}', '+', '$', ' '])
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn pascal(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn snake(words: &[String]) -> String {
    words
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// The words naming a path: `/` is `root`, `/{proxy+}` is `proxy`, `$default` `default`.
fn path_words(path: &str) -> Vec<String> {
    let w = words(path);
    if w.is_empty() {
        vec!["root".to_string()]
    } else {
        w
    }
}

/// A logical id from words, starting with a letter, at most 255 characters.
fn logical(mut id: String) -> String {
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert(0, 'R');
    }
    id.truncate(255);
    id
}

/// A Terraform label from words, starting with a letter or underscore.
fn label(mut s: String) -> String {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s.truncate(120);
    s
}

impl<'a> Names<'a> {
    pub fn new(set: &ChangeSet, api: Option<&'a Api>) -> Self {
        Names {
            api,
            kind: set.api.kind,
            api_id: set
                .api
                .id
                .clone()
                .or_else(|| api.and_then(|a| a.id.clone())),
            api_name: set
                .api
                .name
                .clone()
                .or_else(|| api.map(|a| a.name.clone()))
                .filter(|n| !n.trim().is_empty()),
            region: set.api.region.clone(),
        }
    }

    /// Where `element` is defined and the resource that defines it, as recorded.
    fn source_raw(&self, element: &Element) -> Option<(String, String)> {
        let api = self.api?;
        let l = api.sources.iter().find(|l| &l.element == element)?;
        let resource = l.source.resource.clone()?;
        Some((
            resource,
            one_line(&format!("{}:{}", l.source.file, l.source.line)),
        ))
    }

    /// The recorded resource of `element` when it names that element alone: a source records
    /// the resource that *defines* a part, which in SAM is often not the part's own (the
    /// `AWS::Serverless::Api` defines its OPTIONS methods and stage, a function's event its
    /// path), so an id that another element shares is no logical id of this one. (The API's
    /// own id is always its.)
    fn source(&self, element: &Element) -> Option<(String, String)> {
        let (resource, from) = self.source_raw(element)?;
        if element != &Element::Api {
            let api = self.api?;
            let shared = api.sources.iter().any(|l| {
                &l.element != element && l.source.resource.as_deref() == Some(resource.as_str())
            });
            if shared {
                return None;
            }
        }
        Some((resource, from))
    }

    fn cfn(&self, element: &Element, derived: impl FnOnce() -> String) -> Named {
        match self.source(element).filter(|(r, _)| is_logical_id(r)) {
            Some((id, from)) => Named {
                id,
                from: Some(from),
            },
            None => Named::derived(logical(derived())),
        }
    }

    fn tf(&self, element: &Element, ty: &str, derived: impl FnOnce() -> String) -> Named {
        match self.source(element).filter(|(r, _)| is_tf_address(r, ty)) {
            Some((id, from)) => Named {
                id,
                from: Some(from),
            },
            None => Named::derived(format!("{ty}.{}", label(derived()))),
        }
    }

    /// The API in words, for comments: `REST API "Pets" (abc123, us-east-1)`.
    pub fn api_words(&self) -> String {
        let kind = match self.kind {
            ApiKind::Rest => "REST API",
            ApiKind::Http => "HTTP API",
        };
        let mut s = kind.to_string();
        if let Some(n) = &self.api_name {
            s.push_str(&format!(" \"{}\"", one_line(n)));
        }
        let mut ids: Vec<String> = Vec::new();
        if let Some(id) = &self.api_id {
            ids.push(one_line(id));
        }
        if let Some(r) = &self.region {
            ids.push(one_line(r));
        }
        if !ids.is_empty() {
            s.push_str(&format!(" ({})", ids.join(", ")));
        }
        s
    }

    // CloudFormation / SAM logical ids.

    pub fn cfn_api(&self) -> Named {
        self.cfn(&Element::Api, || match self.kind {
            ApiKind::Rest => "RestApi".to_string(),
            ApiKind::Http => "HttpApi".to_string(),
        })
    }

    pub fn cfn_resource(&self, path: &str) -> Named {
        self.cfn(
            &Element::Resource {
                path: path.to_string(),
            },
            || format!("{}Resource", pascal(&path_words(path))),
        )
    }

    pub fn cfn_method(&self, path: &str, verb: &str) -> Named {
        self.cfn(
            &Element::Method {
                path: path.to_string(),
                verb: verb.to_string(),
            },
            || {
                format!(
                    "{}{}Method",
                    pascal(&path_words(path)),
                    pascal(&words(&verb.to_ascii_lowercase()))
                )
            },
        )
    }

    pub fn cfn_gateway_response(&self, response_type: &str) -> Named {
        self.cfn(
            &Element::GatewayResponse {
                response_type: response_type.to_string(),
            },
            || {
                format!(
                    "{}GatewayResponse",
                    pascal(&words(&response_type.to_ascii_lowercase()))
                )
            },
        )
    }

    pub fn cfn_stage(&self, stage: &str) -> Named {
        self.cfn(
            &Element::Stage {
                name: stage.to_string(),
            },
            || format!("{}Stage", pascal(&path_words(stage))),
        )
    }

    /// The route (HTTP) by its key.
    pub fn cfn_route(&self, route_key: &str) -> Named {
        let (verb, path) = super::digest::split_route_key(route_key);
        self.cfn(
            &Element::Method {
                path: path.to_string(),
                verb: verb.to_string(),
            },
            || {
                format!(
                    "{}{}Route",
                    pascal(&words(&verb.to_ascii_lowercase())),
                    pascal(&path_words(path))
                )
            },
        )
    }

    /// The integration behind a route (HTTP), by the route's key: templates name the route,
    /// not its integration, so this name is always derived.
    pub fn cfn_integration(&self, route_key: &str) -> Named {
        let (verb, path) = super::digest::split_route_key(route_key);
        Named::derived(logical(format!(
            "{}{}Integration",
            pascal(&words(&verb.to_ascii_lowercase())),
            pascal(&path_words(path))
        )))
    }

    /// The SAM function whose `HttpApi` event defines a route, by the route's key.
    pub fn sam_function(&self, route_key: &str) -> Named {
        let (verb, path) = super::digest::split_route_key(route_key);
        let element = Element::Method {
            path: path.to_string(),
            verb: verb.to_string(),
        };
        // A SAM template records the function that carries the event as the route's
        // resource; any other source names a route, not a function.
        match self
            .source_raw(&element)
            .filter(|(r, _)| is_logical_id(r) && r.ends_with("Function"))
        {
            Some((id, from)) => Named {
                id,
                from: Some(from),
            },
            None => Named::derived(logical(format!(
                "{}{}Function",
                pascal(&words(&verb.to_ascii_lowercase())),
                pascal(&path_words(path))
            ))),
        }
    }

    // Terraform addresses.

    pub fn tf_api(&self) -> Named {
        match self.kind {
            ApiKind::Rest => self.tf(&Element::Api, "aws_api_gateway_rest_api", || {
                "api".to_string()
            }),
            ApiKind::Http => self.tf(&Element::Api, "aws_apigatewayv2_api", || "api".to_string()),
        }
    }

    /// The address of the resource at `path`; `None` for the root (`root_resource_id`).
    pub fn tf_resource(&self, path: &str) -> Option<Named> {
        if words(path).is_empty() {
            return None;
        }
        Some(self.tf(
            &Element::Resource {
                path: path.to_string(),
            },
            "aws_api_gateway_resource",
            || snake(&path_words(path)),
        ))
    }

    /// The label shared by a method's method, integration and responses
    /// (`items_options`), from the method's address when the plan gave one.
    pub fn tf_method_label(&self, path: &str, verb: &str) -> Named {
        let n = self.tf(
            &Element::Method {
                path: path.to_string(),
                verb: verb.to_string(),
            },
            "aws_api_gateway_method",
            || format!("{}_{}", snake(&path_words(path)), verb.to_ascii_lowercase()),
        );
        Named {
            id: n.id.rsplit('.').next().unwrap_or(&n.id).to_string(),
            from: n.from,
        }
    }

    pub fn tf_gateway_response(&self, response_type: &str) -> Named {
        self.tf(
            &Element::GatewayResponse {
                response_type: response_type.to_string(),
            },
            "aws_api_gateway_gateway_response",
            || response_type.to_ascii_lowercase(),
        )
    }

    pub fn tf_deployment(&self) -> Named {
        let ty = match self.kind {
            ApiKind::Rest => "aws_api_gateway_deployment",
            ApiKind::Http => "aws_apigatewayv2_deployment",
        };
        self.tf(&Element::Deployment, ty, || "api".to_string())
    }

    /// The Terraform addresses of the API's resources, methods, integrations and responses,
    /// when the API was read from a plan that names them (what a deployment's `triggers`
    /// should follow), in plan order, each once.
    pub fn tf_api_parts(&self) -> Vec<String> {
        const PARTS: [&str; 8] = [
            "aws_api_gateway_resource",
            "aws_api_gateway_method",
            "aws_api_gateway_integration",
            "aws_api_gateway_method_response",
            "aws_api_gateway_integration_response",
            "aws_api_gateway_gateway_response",
            "aws_apigatewayv2_route",
            "aws_apigatewayv2_integration",
        ];
        let mut out: Vec<String> = Vec::new();
        for l in self.api.map(|a| a.sources.as_slice()).unwrap_or_default() {
            let Some(r) = &l.source.resource else {
                continue;
            };
            if PARTS.iter().any(|ty| is_tf_address(r, ty)) && !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }

    pub fn tf_route(&self, route_key: &str) -> Named {
        let (verb, path) = super::digest::split_route_key(route_key);
        self.tf(
            &Element::Method {
                path: path.to_string(),
                verb: verb.to_string(),
            },
            "aws_apigatewayv2_route",
            || format!("{}_{}", verb.to_ascii_lowercase(), snake(&path_words(path))),
        )
    }

    pub fn tf_integration(&self, route_key: &str) -> Named {
        let (verb, path) = super::digest::split_route_key(route_key);
        Named::derived(format!(
            "aws_apigatewayv2_integration.{}",
            label(format!(
                "{}_{}",
                snake(&words(&verb.to_ascii_lowercase())),
                snake(&path_words(path))
            ))
        ))
    }

    // CDK variables.

    /// A camelCase variable for the resource at `path` (`itemsId`, `root`).
    pub fn cdk_resource_var(&self, path: &str) -> String {
        let w = path_words(path);
        let mut s = String::new();
        for (i, word) in w.iter().enumerate() {
            let lower = word.to_ascii_lowercase();
            if i == 0 {
                s.push_str(&lower);
            } else {
                s.push_str(&pascal(&[lower]));
            }
        }
        if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
            s.insert(0, 'r');
        }
        // Never one of the function's own names.
        if matches!(s.as_str(), "api" | "httpApi" | "integration") {
            s.push_str("Resource");
        }
        s.truncate(100);
        s
    }

    /// PascalCase words of a path (`/{proxy+}` → `Proxy`), `None` for the root.
    pub fn event_words(path: &str) -> Option<String> {
        let w = words(path);
        (!w.is_empty()).then(|| pascal(&w))
    }

    // What the model says.

    /// The integration type of a method, when the model has it.
    pub fn integration_type(&self, path: &str, verb: &str) -> Option<IntegrationType> {
        let api = self.api?;
        let m = api.resource(path)?.method(verb)?;
        m.integration.as_ref().map(|i| i.kind)
    }

    /// The integration's backend method and URI, when the model has them.
    pub fn integration_target(&self, path: &str, verb: &str) -> (Option<String>, Option<String>) {
        let Some(i) = self
            .api
            .and_then(|a| a.resource(path))
            .and_then(|r| r.method(verb))
            .and_then(|m| m.integration.as_ref())
        else {
            return (None, None);
        };
        (i.http_method.clone(), i.uri.clone())
    }

    /// The static value a method's integration response maps to `header` today (`'x'` →
    /// `x`), when the model has one.
    pub fn current_mapping(&self, path: &str, verb: &str, header: &str) -> Option<String> {
        let api = self.api?;
        let m = api.resource(path)?.method(verb)?;
        m.integration
            .as_ref()?
            .responses
            .iter()
            .find_map(|r| r.mapped_header(header))
            .and_then(|e| {
                e.trim()
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .map(str::to_string)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_valid_ids_and_labels() {
        assert_eq!(pascal(&path_words("/items/{id}")), "ItemsId");
        assert_eq!(pascal(&path_words("/")), "Root");
        assert_eq!(snake(&path_words("/{proxy+}")), "proxy");
        assert_eq!(logical("1abc".into()), "R1abc");
        assert_eq!(label("9x".into()), "_9x");
        assert!(is_logical_id("ItemsApi"));
        assert!(!is_logical_id("aws_api_gateway_rest_api.api"));
        assert!(is_tf_address(
            "aws_api_gateway_rest_api.api",
            "aws_api_gateway_rest_api"
        ));
        assert!(is_tf_address(
            "module.x.aws_api_gateway_rest_api.api",
            "aws_api_gateway_rest_api"
        ));
        assert!(!is_tf_address(
            "aws_api_gateway_method.m",
            "aws_api_gateway_rest_api"
        ));
        assert!(!is_tf_address("Api", "aws_api_gateway_rest_api"));
    }
}
