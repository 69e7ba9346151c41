//! The app page: where it lives on the app's origin, what it is, and the `fetch()` it runs.

use serde_json::{json, Value};

use crate::target::Target;

/// The path of the app page on the app's origin.
pub(super) const PAGE_PATH: &str = "/__cors-doctor__/app";
pub(super) const PAGE_HTML: &str =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>cors-doctor</title></head><body></body></html>";

/// The JavaScript the page runs: the app's fetch(), reporting how it settled.
pub(super) fn fetch_expression(target: &Target) -> String {
    let headers: Vec<[&str; 2]> = target.headers.iter().map(|(n, v)| [n, v]).collect();
    let mut init = json!({
        "method": target.method,
        "headers": headers,
        "credentials": target.credentials.as_str(),
        "mode": "cors",
    });
    if let (Some(body), Some(obj)) = (&target.body, init.as_object_mut()) {
        obj.insert("body".into(), Value::String(body.clone()));
    }
    let url = Value::String(target.url.to_string());
    format!(
        r#"(async () => {{
  try {{
    const r = await fetch({url}, {init});
    try {{ await r.arrayBuffer(); }} catch (e) {{}}
    return {{ ok: true, status: r.status, type: r.type }};
  }} catch (e) {{
    return {{ ok: false, error: String(e) }};
  }}
}})()"#
    )
}

pub(super) fn without_fragment(target: &Target) -> String {
    let mut url = target.url.clone();
    url.set_fragment(None);
    url.to_string()
}
