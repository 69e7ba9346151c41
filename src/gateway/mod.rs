//! The pure API Gateway domain model: configuration, its OpenAPI form, and behaviour.
//!
//! - [`model`]: one normalized model for REST and HTTP APIs ([`Api`]), stages and deployments.
//! - [`openapi`]: import/export of AWS's OpenAPI 3 / Swagger 2 exports (lossless round trip).
//! - [`behavior`]: the response API Gateway sends for a request ([`behavior::respond`]).
//! - [`change`]: typed configuration changes, the one source of every fix ([`change::ChangeSet`]).
//! - [`front`]: the layers in front of the API (CloudFront, custom domains, WAF, private APIs,
//!   function URLs): specs, their answers and how an answer reveals them.
//! - [`inspect`]: the configuration facts a diagnosis needs ([`inspect::facts`]).
//! - [`scenario`]: the embedded example APIs of `assets/scenarios/`.
//! - [`template`]: CloudFormation / SAM / CDK / Serverless templates → [`Api`]s, with source lines.
//! - [`terraform`]: Terraform plan JSON (`terraform show -json`) → [`Api`]s.
//!
//! No I/O: callers read files and hand over text (a large export through
//! [`openapi::DefinitionText`], which the import may ask for again in parts).
pub mod behavior;
pub mod change;
pub mod front;
pub mod inspect;
pub mod model;
pub mod openapi;
pub mod scenario;
pub mod template;
pub mod terraform;
pub use model::Api;
