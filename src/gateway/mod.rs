//! The pure API Gateway domain model: configuration, its OpenAPI form, and behaviour.
pub mod behavior;
pub mod inspect;
pub mod model;
pub mod openapi;
pub mod scenario;
pub use model::Api;
