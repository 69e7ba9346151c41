//! OpenAPI 3.0 / Swagger 2.0 with API Gateway's `x-amazon-apigateway-*` extensions ⇄ [`Api`](super::Api).
//!
//! The format is the one `aws apigateway get-export --parameters extensions=apigateway` (REST)
//! and `aws apigatewayv2 export-api` (HTTP) produce. What the model interprets is parsed into
//! typed fields; everything else (schemas, parameters, unknown extensions …) is kept verbatim
//! in `extra` maps, so `import(export(import(doc))) == import(doc)`.
//!
//! Malformed documents give an [`ImportError`] naming the JSON path, e.g.
//! `paths./items.options.x-amazon-apigateway-integration.responses: expected an object`.

mod export;
mod import;
mod source;
mod text;

use serde_json::{Map, Value};

pub use export::{export, export_string};
pub use import::{import, import_as, import_str, import_str_as, import_text};
pub use source::DefinitionText;
pub(crate) use text::parse_yaml_observed;
pub use text::{line_of, parse as parse_text};

const X_INTEGRATION: &str = "x-amazon-apigateway-integration";
const X_AUTHORIZER: &str = "x-amazon-apigateway-authorizer";
const X_AUTHTYPE: &str = "x-amazon-apigateway-authtype";
const X_AUTH: &str = "x-amazon-apigateway-auth";
const X_ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const X_GATEWAY_RESPONSES: &str = "x-amazon-apigateway-gateway-responses";
const X_API_KEY_SOURCE: &str = "x-amazon-apigateway-api-key-source";
const X_CORS: &str = "x-amazon-apigateway-cors";
const X_IMPORTEXPORT: &str = "x-amazon-apigateway-importexport-version";
const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A document that cannot be read as an API Gateway export.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{path}: {message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ImportError {
    /// Dotted JSON path (`paths./items.get.responses`); `$` for the document itself.
    pub path: String,
    pub message: String,
    /// The line (1-based) of the file where the problem is, when known.
    pub line: Option<usize>,
}

impl ImportError {
    /// `FILE:LINE: path: message`, the form editors and terminals can jump to.
    pub fn in_file(&self, file: &str) -> String {
        let at = match self.line {
            Some(l) => format!("{file}:{l}"),
            None => file.to_string(),
        };
        if self.path == "$" {
            format!("{at}: {}", self.message)
        } else {
            format!("{at}: {}: {}", self.path, self.message)
        }
    }
}

/// Whether a security scheme is IAM (SigV4) rather than an API key or an authorizer.
fn is_sigv4(scheme: &Map<String, Value>) -> bool {
    scheme
        .get(X_AUTHTYPE)
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
}

#[cfg(test)]
mod tests;
