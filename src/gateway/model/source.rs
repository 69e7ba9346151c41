//! Where each part of an API is defined in the file it was read from (a CloudFormation/SAM
//! template, a CDK or Serverless synthesized template, a Terraform plan, an export): the file,
//! the 1-based line and the logical id or Terraform address. Findings point at these
//! (`"source": {"file", "line", "resource"}`, SARIF physical locations).

use serde::{Deserialize, Serialize};

/// A place in an input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line of the definition.
    pub line: u32,
    /// CloudFormation logical id (`ItemsApi`) or Terraform address
    /// (`aws_api_gateway_method.items_options`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// A part of the API a source location is recorded for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "element", rename_all = "snake_case")]
pub enum Element {
    /// The API itself (`AWS::ApiGateway::RestApi`, `AWS::Serverless::Api`, …).
    Api,
    /// A resource (REST) or route path (HTTP), by template path.
    Resource { path: String },
    /// A method (REST) or route (HTTP), by path and verb (`ANY` for `ANY` routes).
    Method { path: String, verb: String },
    /// A gateway response, by type (`DEFAULT_4XX`).
    GatewayResponse { response_type: String },
    /// An authorizer, by name.
    Authorizer { name: String },
    /// A stage, by name.
    Stage { name: String },
    /// The deployment(s) of the API.
    Deployment,
    /// The HTTP API's `cors_configuration`.
    Cors,
}

/// One element and where it is defined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located {
    #[serde(flatten)]
    pub element: Element,
    pub source: SourceRef,
}
