//! The pure API Gateway domain model: configuration, its OpenAPI form, and behaviour.
pub mod model;
pub use model::Api;
