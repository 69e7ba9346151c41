//! Memory of a large export's import (issue 9, item 8): the export's text is not held while
//! the model is built. Its own binary: it counts every heap allocation of the process (a
//! global allocator), which only a process running nothing else can attribute.
//!
//! `scripts/bench-memory.sh` measures the peak RSS of the release binary on a 140,000-path
//! export; this test holds the property that makes it fit, on a smaller export, in the suite.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_doctor::aws::file::OpenApiFile;
use serde_json::{json, Map};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The benchmark's export (scripts/bench-memory.sh): each path a Lambda proxy GET and a MOCK
/// OPTIONS, as compact JSON.
fn export(paths: usize) -> String {
    let mut items = Map::new();
    for i in 0..paths {
        items.insert(
            format!("/s{}/items{i}/{{id}}", i / 1000),
            json!({
                "get": {"x-amazon-apigateway-integration": {
                    "type": "aws_proxy", "httpMethod": "POST",
                    "uri": format!("arn:aws:lambda:us-east-1:123456789012:function:f{i}")}},
                "options": {
                    "responses": {"200": {"description": ""}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {"statusCode": "200", "responseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": "'*'"}}}}}
            }),
        );
    }
    json!({"openapi": "3.0.1", "info": {"title": "big", "version": "1"}, "paths": items})
        .to_string()
}

#[test]
fn a_large_export_is_imported_without_its_text_held() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let text = export(5_000);
    let size = text.len();
    std::fs::write(&file, &text).unwrap();
    drop(text);

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let opened = OpenApiFile::open(&file).unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let model = LIVE.load(Ordering::Relaxed) - before;
    drop(opened);

    // Reading holds the text (and the path index) for a moment; building the model holds the
    // model and one path item. Were the text held while the model is built, the peak would
    // be the model plus the whole text.
    let over = peak.saturating_sub(model);
    eprintln!(
        "export {size} bytes: peak {peak} bytes, model {model} bytes, peak over the model {over}"
    );
    assert!(
        over < size / 4,
        "the import held {over} bytes beyond the model ({model}) at its peak ({peak}): the \
         {size}-byte text was kept while the model was built"
    );
}
