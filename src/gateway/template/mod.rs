//! CloudFormation templates → [`Api`]: hand-written CloudFormation (YAML with the short
//! intrinsic tags `!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!Select`, `!If`, `!ImportValue` … or
//! JSON), SAM templates (the transform's API semantics, see [`sam`]), CDK's synthesized
//! `cdk.out/*.template.json` and the Serverless Framework's
//! `.serverless/cloudformation-template-update-stack.json` (plain CloudFormation, see [`cfn`]).
//!
//! Every API of the template becomes the OpenAPI document it would deploy (a REST API's
//! `Body`/`DefinitionBody` is that document's start), read by [`crate::gateway::openapi`]: the
//! same model an export or the SDK fills, so every step works on it. Where each part is
//! written is recorded in [`Api::sources`] (file, line, logical id); values the template does
//! not decide (a `Ref` to a parameter without a default, `Fn::ImportValue`, `Fn::GetAtt`, an
//! S3 body) are kept in [`Api::unresolved`] and named, never guessed; `--parameter K=V`
//! supplies parameters and pseudo parameters (`AWS::Region`). See [`intrinsics`] for what is
//! evaluated.
//!
//! No I/O: the caller reads the file (bounded, see `aws::file`) and hands over its text.
//!
//! Choices the documentation leaves open (with the evidence used):
//! - **Which API**: a template may hold several. [`select`] takes the logical id the user
//!   names (`--api-id LOGICALID`, the same flag that names a deployed API), else the only API,
//!   else the only one with a resource matching `--path`; anything else is an error listing
//!   the APIs (never a guess).
//! - **SAM generated OPTIONS authorizer**: the SAM docs say `AddDefaultAuthorizerToCorsPreflight`
//!   defaults to true; the translator (`set_path_default_authorizer`) puts the default
//!   authorizer on OPTIONS unless it is false, and an event's `Authorizer: NONE` wins. The
//!   OPTIONS method's source line is then the `DefaultAuthorizer` line (where the fix goes).
//! - **SAM `AllowMethods` default**: not in the docs; the translator lists the path's methods
//!   plus OPTIONS (every method for `ANY`), sorted — we do the same.
//! - **SAM implicit API stage**: `Prod` (the translator's default stage of
//!   `ServerlessRestApi`); an HTTP API's stage is `$default` with automatic deployment.
//! - **Resources with a `Condition`** that the template (and `--parameter`) decides false
//!   are left out, as CloudFormation would not create them; an undecided condition keeps them.
//! - **Deployments**: a template deploys its methods with the stack, so stages serve the
//!   working copy (the model's deployments hold no older snapshot).
//! - **CDK's preflight authorizer**: `defaultMethodOptions`' authorizer reached the OPTIONS
//!   methods of `defaultCorsPreflightOptions` (aws/aws-cdk#8615) until aws/aws-cdk#22402
//!   (October 2022) set them to `NONE`; stacks synthesized before, and CDK v1, still deploy it.
//!   No CDK version is assumed: the synthesized `AWS::ApiGateway::Method` says what is deployed.
//! - **Lambda proxy backends**: what a function returns is not in the template; the
//!   prediction assumes a backend that sends CORS headers, and step 5 says it assumed so.
//! - **Size**: CloudFormation accepts templates up to 1 MB
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>);
//!   the reader refuses files over a few MB before parsing (`aws::file`).

pub mod cfn;
pub mod intrinsics;
pub mod lines;
pub mod sam;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Value};

use crate::gateway::model::{ApiKind, Element, Located, SourceRef, Stage, Unresolved};
use crate::gateway::{behavior, openapi, Api};
use intrinsics::Resolver;
use lines::LineMap;

/// Lower-case HTTP methods as OpenAPI path item keys.
const HTTP_VERBS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What a definition file is, by its structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefinitionKind {
    /// An OpenAPI 3 / Swagger 2 export (or a scenario file).
    OpenApi,
    /// A CloudFormation or SAM template (also CDK and Serverless output).
    CloudFormation,
    /// `terraform show -json plan.out`.
    TerraformPlan,
    /// None of these.
    Unknown,
}

/// Tells the kind of a parsed definition file from its top-level keys.
pub fn detect(doc: &Value) -> DefinitionKind {
    let Some(o) = doc.as_object() else {
        return DefinitionKind::Unknown;
    };
    if o.contains_key("format_version")
        && (o.contains_key("planned_values") || o.contains_key("resource_changes"))
    {
        DefinitionKind::TerraformPlan
    } else if o.contains_key("openapi") || o.contains_key("swagger") {
        DefinitionKind::OpenApi
    } else if o.contains_key("Resources") || o.contains_key("AWSTemplateFormatVersion") {
        DefinitionKind::CloudFormation
    } else {
        DefinitionKind::Unknown
    }
}

/// A template that cannot be read: the line when known, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct TemplateError {
    pub line: Option<u32>,
    pub message: String,
}

impl TemplateError {
    pub(crate) fn at(lines: &LineMap, at: &str, message: String) -> TemplateError {
        TemplateError {
            line: lines.line(at),
            message,
        }
    }

    /// `FILE:LINE: message`, the form editors and terminals jump to.
    pub fn in_file(&self, file: &str) -> String {
        match self.line {
            Some(l) => format!("{file}:{l}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

/// One API of a template.
#[derive(Clone, Debug)]
pub struct TemplateApi {
    /// The logical id (`ItemsApi`, `ServerlessRestApi` for SAM's implicit API).
    pub logical_id: String,
    /// `AWS::Serverless::Api`, `AWS::ApiGateway::RestApi`, …
    pub resource_type: String,
    pub api: Api,
}

/// Reads every API Gateway API of the template `text` (`file`: the name shown in sources
/// and errors; `parameters`: `--parameter` values, pseudo parameters included).
pub fn import(
    text: &str,
    file: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Vec<TemplateApi>, TemplateError> {
    let error = |e: openapi::ImportError| TemplateError {
        line: e.line.and_then(|l| u32::try_from(l).ok()),
        message: if e.path == "$" {
            e.message
        } else {
            format!("{}: {}", e.path, e.message)
        },
    };
    let body = text.trim_start_matches('\u{feff}');
    let (doc, lines) = if body.trim_start().starts_with('{') {
        (
            openapi::parse_text(text).map_err(error)?,
            LineMap::build(text),
        )
    } else {
        // YAML: the values and the lines of the keys from one parse.
        let mut lines = lines::YamlLines::new();
        let doc = openapi::parse_yaml_observed(body, &mut |event, mark| lines.event(event, mark))
            .map_err(error)?;
        (doc, lines.finish())
    };
    import_value(&doc, &lines, file, parameters)
}

/// [`import`] of a parsed template.
pub fn import_value(
    doc: &Value,
    lines: &LineMap,
    file: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Vec<TemplateApi>, TemplateError> {
    let Some(resources) = doc.get("Resources").and_then(Value::as_object) else {
        return Err(TemplateError::at(
            lines,
            "Resources",
            "the template has no Resources section (an object of logical ids); is this a CloudFormation template?".into(),
        ));
    };
    for (id, r) in resources {
        // `Fn::ForEach::Name` loops (the AWS::LanguageExtensions transform) expand at deploy
        // time; the resources they make are not read.
        if id.starts_with("Fn::ForEach::") {
            continue;
        }
        if !r.is_object() || r.get("Type").and_then(Value::as_str).is_none() {
            let at = format!("Resources.{id}");
            return Err(TemplateError::at(
                lines,
                &at,
                format!("{at}: a resource needs a Type (e.g. AWS::ApiGateway::RestApi)"),
            ));
        }
    }
    intrinsics::check_known(doc, lines)?;
    let resolver = Resolver::new(doc, parameters, lines)?;
    let unknown = resolver.undeclared(parameters);
    if !unknown.is_empty() {
        let declared: Vec<&str> = doc
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(TemplateError {
            line: lines.line("Parameters"),
            message: format!(
                "--parameter {}: the template declares no such parameter (it declares: {})",
                unknown.join(", "),
                if declared.is_empty() {
                    "none".to_string()
                } else {
                    declared.join(", ")
                }
            ),
        });
    }
    let cx = Ctx {
        file,
        lines,
        resolver,
        resources,
        globals: doc.get("Globals"),
    };
    let mut built = Vec::new();
    built.extend(cfn::rest_apis(&cx)?);
    built.extend(cfn::http_apis(&cx)?);
    built.extend(sam::rest_apis(&cx)?);
    built.extend(sam::http_apis(&cx)?);
    let missing = cx.resolver.take_missing();
    let mut out = Vec::with_capacity(built.len());
    for b in built {
        out.push(b.finish(&cx, &missing)?);
    }
    Ok(out)
}

/// The API the user means: by logical id, else the only one, else the only one with a
/// resource for `path`. Errors list the APIs.
pub fn select(
    apis: Vec<TemplateApi>,
    logical_id: Option<&str>,
    path: Option<&str>,
) -> Result<TemplateApi, TemplateError> {
    let list = |apis: &[TemplateApi]| {
        apis.iter()
            .map(|a| format!("{} ({})", a.logical_id, a.resource_type))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if apis.is_empty() {
        return Err(TemplateError {
            line: None,
            message: "the template defines no API Gateway API (AWS::ApiGateway::RestApi, AWS::ApiGatewayV2::Api, AWS::Serverless::Api/HttpApi, or a function event of type Api/HttpApi)".into(),
        });
    }
    if let Some(id) = logical_id {
        let shown = list(&apis);
        return apis
            .into_iter()
            .find(|a| a.logical_id == id)
            .ok_or_else(|| TemplateError {
                line: None,
                message: format!(
                    "--api-id {id}: the template has no API with that logical id; its APIs are {shown}"
                ),
            });
    }
    if apis.len() == 1 {
        return apis.into_iter().next().ok_or_else(|| TemplateError {
            line: None,
            message: "no API".into(),
        });
    }
    if let Some(p) = path {
        let with: Vec<usize> = apis
            .iter()
            .enumerate()
            .filter(|(_, a)| !behavior::matching_resources(&a.api.resources, p).is_empty())
            .map(|(i, _)| i)
            .collect();
        if let [only] = with.as_slice() {
            let i = *only;
            return apis.into_iter().nth(i).ok_or_else(|| TemplateError {
                line: None,
                message: "no API".into(),
            });
        }
        let which = if with.is_empty() {
            format!("none of them has a resource for {p}")
        } else {
            format!("{} of them have a resource for {p}", with.len())
        };
        return Err(TemplateError {
            line: None,
            message: format!(
                "the template defines {} APIs ({}) and {which}; name one with --api-id LOGICALID",
                apis.len(),
                list(&apis)
            ),
        });
    }
    Err(TemplateError {
        line: None,
        message: format!(
            "the template defines {} APIs ({}); name one with --api-id LOGICALID or give --path",
            apis.len(),
            list(&apis)
        ),
    })
}

/// What the builders share: the template, its lines, the resolver.
pub(crate) struct Ctx<'a> {
    file: &'a str,
    lines: &'a LineMap,
    resolver: Resolver<'a>,
    resources: &'a Map<String, Value>,
    globals: Option<&'a Value>,
}

impl Ctx<'_> {
    /// `Resources.{id}`.
    fn at(&self, id: &str) -> String {
        format!("Resources.{id}")
    }

    fn has(&self, at: &str) -> bool {
        self.lines.exact(at).is_some()
    }

    /// Resources of a type, in document order, without those whose `Condition` is false.
    fn of_type(&self, ty: &str) -> Vec<(&str, &Value)> {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
            .filter(|(_, r)| {
                r.get("Condition")
                    .and_then(Value::as_str)
                    .and_then(|c| self.resolver.condition_value(c))
                    != Some(false)
            })
            .map(|(id, r)| (id.as_str(), r))
            .collect()
    }

    /// A resource's `Properties`, with what the template decides resolved.
    fn props(&self, id: &str) -> Value {
        match self.resources.get(id).and_then(|r| r.get("Properties")) {
            Some(p) => self
                .resolver
                .resolve(p, &format!("{}.Properties", self.at(id))),
            None => json!({}),
        }
    }

    /// `Globals.{section}`, resolved.
    fn globals(&self, section: &str) -> Option<Value> {
        self.globals
            .and_then(|g| g.get(section))
            .map(|v| self.resolver.resolve(v, &format!("Globals.{section}")))
    }

    fn error(&self, at: &str, message: &str) -> TemplateError {
        TemplateError::at(self.lines, at, message.to_string())
    }

    fn source_ref(&self, at: &str, resource: &str) -> SourceRef {
        SourceRef {
            file: self.file.to_string(),
            line: self.lines.line(at).unwrap_or(1),
            resource: (!resource.is_empty()).then(|| resource.to_string()),
        }
    }

    /// Sources for the paths and operations of an inline OpenAPI body.
    fn body_sources(&self, b: &mut Built, body: &Value, id: &str) {
        let Some(base) = b.body_at.clone() else {
            return;
        };
        for (path, item) in body
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let element_path = if path == "/$default" {
                crate::gateway::model::DEFAULT_ROUTE.to_string()
            } else {
                path.clone()
            };
            let pat = format!("{base}.paths.{path}");
            b.source(
                self,
                Element::Resource {
                    path: element_path.clone(),
                },
                &pat,
                id,
            );
            for k in item.as_object().into_iter().flat_map(|o| o.keys()) {
                let verb = if k == "x-amazon-apigateway-any-method" {
                    "ANY".to_string()
                } else if HTTP_VERBS.contains(&k.as_str()) {
                    k.to_ascii_uppercase()
                } else {
                    continue;
                };
                b.source(
                    self,
                    Element::Method {
                        path: element_path.clone(),
                        verb,
                    },
                    &format!("{pat}.{k}"),
                    id,
                );
            }
        }
        for ty in body
            .get("x-amazon-apigateway-gateway-responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|o| o.keys())
        {
            b.source(
                self,
                Element::GatewayResponse {
                    response_type: ty.clone(),
                },
                &format!("{base}.x-amazon-apigateway-gateway-responses.{ty}"),
                id,
            );
        }
        if body.get("x-amazon-apigateway-cors").is_some() {
            b.source(
                self,
                Element::Cors,
                &format!("{base}.x-amazon-apigateway-cors"),
                id,
            );
        }
    }
}

/// An API being built: its OpenAPI document and what the model takes besides.
pub(crate) struct Built {
    logical_id: String,
    resource_type: String,
    kind: ApiKind,
    doc: Value,
    /// Where the inline `Body`/`DefinitionBody` is written, when there is one.
    body_at: Option<String>,
    sources: Vec<Located>,
    /// The elements of `sources` (a template of thousands of resources records as many: a
    /// scan of `sources` per record was quadratic).
    recorded: HashSet<Element>,
    stages: Vec<Stage>,
    unresolved: Vec<Unresolved>,
}

impl Built {
    fn new(id: &str, ty: &str, kind: ApiKind) -> Built {
        Built {
            logical_id: id.to_string(),
            resource_type: ty.to_string(),
            kind,
            doc: Value::Null,
            body_at: None,
            sources: Vec::new(),
            recorded: HashSet::new(),
            stages: Vec::new(),
            unresolved: Vec::new(),
        }
    }

    /// Records where `element` is written (the first record of an element wins; [`Self::repoint`]
    /// replaces it).
    fn source(&mut self, cx: &Ctx, element: Element, at: &str, resource: &str) {
        if self.recorded.insert(element.clone()) {
            self.sources.push(Located {
                element,
                source: cx.source_ref(at, resource),
            });
        }
    }

    /// True when where `element` is written is recorded.
    fn has_source(&self, element: &Element) -> bool {
        self.recorded.contains(element)
    }

    /// Records where `element` is written, in place of what was recorded (a setting elsewhere
    /// that decides the element, e.g. SAM's `DefaultAuthorizer` for a generated OPTIONS).
    fn repoint(&mut self, cx: &Ctx, element: Element, at: &str, resource: &str) {
        if self.recorded.contains(&element) {
            self.sources.retain(|l| l.element != element);
            self.recorded.remove(&element);
        }
        self.source(cx, element, at, resource);
    }

    fn finish(
        self,
        cx: &Ctx,
        missing: &[intrinsics::Missing],
    ) -> Result<TemplateApi, TemplateError> {
        let at = cx.at(&self.logical_id);
        let mut api = openapi::import_as(&self.doc, Some(self.kind)).map_err(|e| {
            // An error inside an inline body points at its line in the template.
            let inner = match &self.body_at {
                Some(base) if e.path != "$" => format!("{base}.{}", e.path),
                _ => at.clone(),
            };
            TemplateError {
                line: cx.lines.line(&inner),
                message: format!(
                    "{at}: the API's definition (as deployed{}) cannot be read: {}",
                    if self.resource_type.starts_with("AWS::Serverless") {
                        ", after SAM's transform"
                    } else {
                        ""
                    },
                    e.message
                ),
            }
        })?;
        if let Some(base) = &self.body_at {
            for u in &mut api.unresolved {
                if u.at != "$" {
                    u.at = format!("{base}.{}", u.at);
                }
            }
        }
        api.kind_decided_by = Some(format!("{} {}", self.resource_type, self.logical_id));
        api.stages = self.stages;
        api.sources = self.sources;
        // A value left unresolved because a parameter has no value says how to give it.
        // (`missing` has an entry per use: each name and its two spellings are made once.)
        let names: Vec<(&str, String, String)> = missing
            .iter()
            .map(|m| m.name.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|n| (n, format!("${{{n}}}"), format!("\"Ref\":\"{n}\"")))
            .collect();
        for u in &mut api.unresolved {
            if !matches!(u.kind, crate::gateway::model::UnresolvedKind::Intrinsic(_)) {
                continue;
            }
            let named: Vec<&str> = names
                .iter()
                .filter(|(_, sub, reference)| {
                    u.written.contains(sub.as_str()) || u.written.contains(reference.as_str())
                })
                .map(|(n, _, _)| *n)
                .collect();
            if !named.is_empty() {
                let pass: Vec<String> = named
                    .iter()
                    .map(|n| format!("--parameter {n}=VALUE"))
                    .collect();
                u.written = format!(
                    "{} (the template gives {} no value: pass {})",
                    u.written,
                    named.join(", "),
                    pass.join(" ")
                );
            }
        }
        let prefix = format!("{at}.");
        for m in missing {
            let mine = m.at.starts_with(&prefix)
                || m.at.starts_with("Globals.")
                || self.body_at.as_ref().is_some_and(|b| m.at.starts_with(b));
            if mine {
                api.unresolved.push(Unresolved::undefined(
                    &m.at,
                    "template parameter without a default (pass --parameter NAME=VALUE)",
                    &m.name,
                ));
            }
        }
        api.unresolved.extend(self.unresolved);
        Ok(TemplateApi {
            logical_id: self.logical_id,
            resource_type: self.resource_type,
            api,
        })
    }
}

/// A new, empty OpenAPI 3 document for an API built from resources.
fn new_doc(kind: ApiKind, name: &str) -> Value {
    let mut d = json!({
        "openapi": "3.0.1",
        "info": {"title": name, "version": "1.0"},
        "paths": {},
    });
    if kind == ApiKind::Http {
        d["x-amazon-apigateway-importexport-version"] = json!("1.0");
    }
    d
}

/// Adds a security scheme where the document's version keeps them.
fn add_scheme(doc: &mut Value, name: &str, scheme: Value) {
    if doc.get("swagger").is_some() {
        if !doc.get("securityDefinitions").is_some_and(Value::is_object) {
            doc["securityDefinitions"] = json!({});
        }
        doc["securityDefinitions"][name] = scheme;
    } else {
        if !doc.get("components").is_some_and(Value::is_object) {
            doc["components"] = json!({});
        }
        if !doc["components"]
            .get("securitySchemes")
            .is_some_and(Value::is_object)
        {
            doc["components"]["securitySchemes"] = json!({});
        }
        doc["components"]["securitySchemes"][name] = scheme;
    }
}
