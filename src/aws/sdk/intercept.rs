//! Two SDK interceptors: one counts the control-plane calls a lookup makes, one repairs the
//! JSON that real API Gateway sends and the SDK refuses.
//!
//! The repair: an integration response whose template is empty comes back as
//! `"responseTemplates": {"application/json": null}` (the console's "Enable CORS" creates
//! exactly this). aws-sdk-apigateway's deserializer rejects null map values ("dense map cannot
//! contain null values", smithy-rs #2239), which would break `get_resources` with
//! `embed=methods` on the very OPTIONS methods cors-doctor reads. Before deserialization the
//! body is collected and rewritten: a null inside a `…Templates` map becomes `""` (the key is
//! kept; the mapper reads `""` back as a null template), any other null member is dropped (the
//! SDK reads an absent member exactly like a null one).

use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use bytes::Bytes;
use http_body::{Body, Frame};
use serde_json::Value;

/// Counts operations (not retries): one per `send()`.
#[derive(Clone, Debug, Default)]
pub struct CallCounter(Arc<AtomicU32>);

impl CallCounter {
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "cors-doctor::CallCounter"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Rewrites response bodies that contain JSON nulls (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullMapRepair;

impl Intercept for NullMapRepair {
    fn name(&self) -> &'static str {
        "cors-doctor::NullMapRepair"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.response_mut().body_mut();
        let taken = std::mem::replace(body, SdkBody::taken());
        *body = match taken.bytes() {
            // Already in memory (recorded responses, some clients): rewrite now.
            Some(bytes) => SdkBody::from(repair(bytes).unwrap_or_else(|| bytes.to_vec())),
            None => SdkBody::from_body_1_x(Repairing::new(taken)),
        };
        Ok(())
    }
}

/// The repaired body, or `None` when nothing needs repairing (no null, or not JSON).
pub fn repair(bytes: &[u8]) -> Option<Vec<u8>> {
    if !contains(bytes, b"null") {
        return None;
    }
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    if !scrub(&mut value, false) {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Repairs nulls in place; returns true when something changed. `in_templates`: the object is
/// a template map (content type → template).
fn scrub(value: &mut Value, in_templates: bool) -> bool {
    match value {
        Value::Object(map) => {
            let mut changed = false;
            if in_templates {
                for v in map.values_mut() {
                    if v.is_null() {
                        *v = Value::String(String::new());
                        changed = true;
                    }
                }
            } else {
                let before = map.len();
                map.retain(|_, v| !v.is_null());
                changed |= map.len() != before;
            }
            for (k, v) in map.iter_mut() {
                changed |= scrub(v, k.ends_with("Templates"));
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, v| scrub(v, false) | acc),
        _ => false,
    }
}

/// A body that collects the inner body, then yields it repaired in one frame.
struct Repairing {
    inner: Option<Pin<Box<SdkBody>>>,
    collected: Vec<u8>,
}

impl Repairing {
    fn new(inner: SdkBody) -> Self {
        Repairing {
            inner: Some(Box::pin(inner)),
            collected: Vec::new(),
        }
    }
}

impl Body for Repairing {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        loop {
            let Some(inner) = this.inner.as_mut() else {
                return Poll::Ready(None);
            };
            match inner.as_mut().poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => {
                    this.inner = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        this.collected.extend_from_slice(&data);
                    }
                }
                Poll::Ready(None) => {
                    this.inner = None;
                    let raw = std::mem::take(&mut this.collected);
                    let out = repair(&raw).unwrap_or(raw);
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_templates_become_empty_and_other_nulls_go() {
        let raw = br#"{"items":[{"id":"r1","resourceMethods":{"OPTIONS":{"methodIntegration":{"integrationResponses":{"200":{"statusCode":"200","responseTemplates":{"application/json":null},"selectionPattern":null}}}}}}]}"#;
        let fixed: Value = serde_json::from_slice(&repair(raw).unwrap()).unwrap();
        let ir = &fixed["items"][0]["resourceMethods"]["OPTIONS"]["methodIntegration"]
            ["integrationResponses"]["200"];
        assert_eq!(ir["responseTemplates"]["application/json"], "");
        assert!(ir.get("selectionPattern").is_none());
        assert_eq!(repair(br#"{"a":"nullable"}"#), None);
        assert_eq!(repair(b"not json null"), None);
    }
}
