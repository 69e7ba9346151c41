use super::*;

fn api_echo_origin() -> impl FnMut(&HttpRequest) -> HttpResponse {
    // An API that reflects the Origin it receives (as an HTTP API's CORS configuration does
    // for an allowed origin) and marks its answers as API Gateway's.
    move |r: &HttpRequest| {
        let mut headers = Headers::new().with("apigw-requestid", "abc");
        if let Some(o) = r.headers.get("origin") {
            headers.push("Access-Control-Allow-Origin", o.to_string());
        }
        HttpResponse {
            status: 200,
            headers,
            body: b"[]".to_vec(),
        }
    }
}

fn get(origin: Option<&str>) -> HttpRequest {
    let mut headers = Headers::new();
    if let Some(o) = origin {
        headers.push("Origin", o);
    }
    HttpRequest {
        method: "GET".into(),
        path_and_query: "/bookings".into(),
        headers,
        body: Vec::new(),
    }
}

fn preflight() -> HttpRequest {
    HttpRequest {
        method: "OPTIONS".into(),
        path_and_query: "/bookings".into(),
        headers: Headers::new()
            .with("Origin", "https://app.example.com")
            .with("Access-Control-Request-Method", "GET")
            .with("Access-Control-Request-Headers", "authorization"),
        body: Vec::new(),
    }
}

fn recorded(req: &HttpRequest, resp: &HttpResponse) -> (RecordedRequest, RecordedResponse) {
    (
        RecordedRequest {
            method: req.method.clone(),
            url: format!(
                "https://d111111abcdef8.cloudfront.net{}",
                req.path_and_query
            ),
            headers: req.headers.clone(),
            body: None,
        },
        RecordedResponse {
            status: resp.status,
            headers: resp.headers.clone(),
            body_excerpt: String::from_utf8_lossy(&resp.body).into_owned(),
            body_truncated: false,
        },
    )
}

#[test]
fn allowed_methods_are_one_of_three_sets() {
    assert_eq!(
        AllowedMethods::from_methods(&["head", "GET"]),
        Ok(AllowedMethods::GetHead)
    );
    assert_eq!(
        AllowedMethods::from_methods(&["GET", "HEAD", "OPTIONS"]),
        Ok(AllowedMethods::GetHeadOptions)
    );
    let err = AllowedMethods::from_methods(&["GET", "POST"]).unwrap_err();
    assert!(err.contains("one of three sets"), "{err}");
    let d: Result<Distribution, _> =
        serde_json::from_value(serde_json::json!({"allowed_methods": ["GET", "OPTIONS"]}));
    assert!(d.is_err());
    let d: Distribution =
        serde_json::from_value(serde_json::json!({"cached_methods": ["GET", "HEAD", "OPTIONS"]}))
            .unwrap();
    assert_eq!(d.allowed_methods, AllowedMethods::All);
    assert!(d.caches("OPTIONS"));
}

#[test]
fn a_refused_method_gets_cloudfronts_403_page_and_never_reaches_the_api() {
    let d = Distribution {
        allowed_methods: AllowedMethods::GetHead,
        ..Distribution::default()
    };
    let mut reached = false;
    let mut api = |_r: &HttpRequest| {
        reached = true;
        HttpResponse::default()
    };
    let out = respond(Some(&d), &mut Cache::default(), &preflight(), &mut api);
    let Layered::Answered(resp, by) = out else {
        panic!("CloudFront answers itself")
    };
    assert!(!reached);
    assert_eq!(by, AnsweredBy::Cloudfront);
    assert_eq!(resp.status, 403);
    assert_eq!(resp.headers.get("server"), Some("CloudFront"));
    assert_eq!(resp.headers.get("x-cache"), Some("Error from cloudfront"));
    assert!(resp.headers.get("via").unwrap().ends_with("(CloudFront)"));
    assert_eq!(resp.headers.get("x-amz-cf-id").unwrap().len(), 56);
    assert!(!resp.headers.contains("access-control-allow-origin"));
    let (rq, rs) = recorded(&preflight(), &resp);
    assert!(refused_method(&rs));
    let s = seen(&rq, Some(&rs)).unwrap();
    assert!(s.answered);
    assert!(s.detail.contains("Error from cloudfront"), "{}", s.detail);
    assert!(s.detail.contains("OPTIONS not allowed"), "{}", s.detail);
    // And the exchange attribution agrees.
    assert_eq!(
        crate::exchange::attribute(&rs.headers).0,
        AnsweredBy::Cloudfront
    );
}

#[test]
fn a_cache_key_without_origin_serves_one_origins_answer_to_another() {
    let d = Distribution {
        origin_request_policy: Some(OriginRequestPolicy {
            name: "CORS-CustomOrigin".into(),
            headers: vec![],
            unread: false,
        }),
        earlier_viewers: vec!["https://admin.example.com".into()],
        ..Distribution::default()
    };
    assert_eq!(d.cache_ignores("GET"), vec!["Origin"]);
    let mut cache = Cache::default();
    let mut api = api_echo_origin();
    let Layered::Passed(resp) = respond(
        Some(&d),
        &mut cache,
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!("passes")
    };
    assert_eq!(resp.headers.get("x-cache"), Some("Hit from cloudfront"));
    assert_eq!(
        resp.headers.get("access-control-allow-origin"),
        Some("https://admin.example.com")
    );
    assert!(resp.headers.contains("age"));
    let (rq, rs) = recorded(&get(Some("https://app.example.com")), &resp);
    let s = seen(&rq, Some(&rs)).unwrap();
    assert!(s.answered && s.detail.contains("Hit"), "{s:?}");
}

#[test]
fn origin_in_the_cache_key_keeps_the_answers_apart() {
    let d = Distribution {
        cache_policy: CachePolicy {
            name: "cors-aware".into(),
            headers: CORS_REQUEST_HEADERS.iter().map(|s| s.to_string()).collect(),
            unread: false,
        },
        cached_methods: CachedMethods::GetHeadOptions,
        earlier_viewers: vec!["https://admin.example.com".into()],
        ..Distribution::default()
    };
    assert!(d.cache_ignores("GET").is_empty());
    assert!(d.cache_ignores("OPTIONS").is_empty());
    let mut cache = Cache::default();
    let mut api = api_echo_origin();
    let Layered::Passed(first) = respond(
        Some(&d),
        &mut cache,
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!()
    };
    assert_eq!(first.headers.get("x-cache"), Some("Miss from cloudfront"));
    assert_eq!(
        first.headers.get("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let Layered::Passed(second) = respond(
        Some(&d),
        &mut cache,
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!()
    };
    assert_eq!(second.headers.get("x-cache"), Some("Hit from cloudfront"));
    assert_eq!(second.headers.get("age"), Some("1"));
}

#[test]
fn without_a_forwarding_policy_the_api_never_sees_origin() {
    let d = Distribution::default();
    assert!(d.cache_ignores("GET").is_empty());
    let mut api = api_echo_origin();
    let Layered::Passed(resp) = respond(
        Some(&d),
        &mut Cache::default(),
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!()
    };
    assert!(!resp.headers.contains("access-control-allow-origin"));
}

#[test]
fn response_headers_policy_keeps_or_overrides_and_never_duplicates() {
    for (override_, want) in [(false, "https://app.example.com"), (true, "*")] {
        let d = Distribution {
            origin_request_policy: Some(OriginRequestPolicy {
                name: "AllViewerExceptHostHeader".into(),
                headers: vec![],
                unread: false,
            }),
            cache_policy: CachePolicy {
                name: "CachingDisabled".into(),
                headers: vec![],
                unread: false,
            },
            response_headers_policy: Some(ResponseHeadersPolicy {
                name: "cors".into(),
                allow_origins: vec!["*".into()],
                allow_methods: vec!["GET".into()],
                allow_headers: vec!["authorization".into()],
                allow_credentials: false,
                expose_headers: vec![],
                max_age: Some(600),
                origin_override: override_,
            }),
            ..Distribution::default()
        };
        let mut api = api_echo_origin();
        let Layered::Passed(resp) =
            respond(Some(&d), &mut Cache::default(), &preflight(), &mut api)
        else {
            panic!()
        };
        let values: Vec<&str> = resp
            .headers
            .get_all("access-control-allow-origin")
            .collect();
        assert_eq!(values, vec![want], "override {override_}");
        assert_eq!(resp.headers.get("access-control-max-age"), Some("600"));
    }
}

#[test]
fn a_viewer_response_function_adds_a_second_value() {
    let d = Distribution {
        origin_request_policy: Some(OriginRequestPolicy {
            name: "CORS-CustomOrigin".into(),
            headers: vec![],
            unread: false,
        }),
        cache_policy: CachePolicy {
            name: "CachingDisabled".into(),
            headers: vec![],
            unread: false,
        },
        viewer_response_headers: [("Access-Control-Allow-Origin".to_string(), "*".to_string())]
            .into(),
        ..Distribution::default()
    };
    let mut api = api_echo_origin();
    let Layered::Passed(resp) = respond(
        Some(&d),
        &mut Cache::default(),
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!()
    };
    assert_eq!(
        resp.headers
            .combined("access-control-allow-origin")
            .as_deref(),
        Some("https://app.example.com, *")
    );
}

#[test]
fn an_http_only_origin_gets_502_from_cloudfront() {
    let d = Distribution {
        origin_protocol_policy: OriginProtocolPolicy::HttpOnly,
        ..Distribution::default()
    };
    let mut api = api_echo_origin();
    let Layered::Answered(resp, by) = respond(
        Some(&d),
        &mut Cache::default(),
        &get(Some("https://app.example.com")),
        &mut api,
    ) else {
        panic!()
    };
    assert_eq!((resp.status, by), (502, AnsweredBy::Cloudfront));
    let (_, rs) = recorded(&get(None), &resp);
    assert!(answered_itself(&rs) && !refused_method(&rs));
}

#[test]
fn seen_needs_a_cloudfront_sign() {
    let (rq, mut rs) = recorded(&get(None), &HttpResponse::default());
    let rq = RecordedRequest {
        url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/x".into(),
        ..rq
    };
    assert_eq!(seen(&rq, Some(&rs)), None);
    rs.headers
        .push("Via", "1.1 abc.cloudfront.net (CloudFront)");
    rs.headers.push("X-Amz-Cf-Pop", "IAD89-C1");
    let s = seen(&rq, Some(&rs)).unwrap();
    assert!(!s.answered);
    assert!(s.detail.contains("POP IAD89-C1"));
    assert_eq!(cache_status(&rs.headers), Some(CacheStatus::Unknown));
}

#[test]
fn a_saved_distribution_config_is_read_for_the_behavior_that_serves_the_path() {
    let saved = serde_json::json!({
        "ETag": "E2QWRUHEXAMPLE",
        "DistributionConfig": {
            "Origins": {"Quantity": 1, "Items": [{"Id": "api", "DomainName": "abc.execute-api.us-east-1.amazonaws.com",
                "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "api",
                "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                "OriginRequestPolicyId": "59781a5b-3903-41f3-afcb-af62929ccde1"},
            "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/prod/admin/*", "TargetOriginId": "api",
                "AllowedMethods": {"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","PATCH","POST","DELETE"]},
                "CachePolicyId": "11111111-2222-3333-4444-555555555555",
                "FunctionAssociations": {"Quantity": 1, "Items": [{"EventType": "viewer-response", "FunctionARN": "arn:x"}]}}]}
        }
    });
    let (d, notes) = from_saved_config(&saved, "/prod/items").unwrap();
    assert_eq!(d.allowed_methods, AllowedMethods::GetHead);
    assert_eq!(d.cache_policy.name, "CachingOptimized");
    assert_eq!(
        d.origin_request_policy.as_ref().unwrap().name,
        "CORS-CustomOrigin"
    );
    assert_eq!(d.origin_protocol_policy, OriginProtocolPolicy::HttpOnly);
    assert_eq!(d.id, "$DISTRIBUTION_ID");
    assert_eq!(d.cache_ignores("GET"), vec!["Origin"]);
    assert!(notes.is_empty(), "{notes:?}");
    let (d, notes) = from_saved_config(&saved, "/prod/admin/users").unwrap();
    assert_eq!(d.allowed_methods, AllowedMethods::All);
    assert!(d.cache_policy.unread);
    assert!(
        d.cache_ignores("GET").is_empty(),
        "an unread policy concludes nothing"
    );
    assert!(notes.iter().any(|n| n.contains("custom one")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("viewer-response")),
        "{notes:?}"
    );
    let err = from_saved_config(&serde_json::json!({"Items": []}), "/").unwrap_err();
    assert!(err.contains("get-distribution-config"), "{err}");
    let bad = serde_json::json!({"DistributionConfig": {"DefaultCacheBehavior": {"AllowedMethods": {"Items": ["GET", "POST"]}}}});
    assert!(from_saved_config(&bad, "/")
        .unwrap_err()
        .contains("three sets"));
}

#[test]
fn path_patterns_match_like_cloudfront() {
    assert!(path_pattern_matches("/prod/*", "/prod/items"));
    assert!(path_pattern_matches("*.jpg", "/a/b.jpg"));
    assert!(path_pattern_matches("/a?c", "/abc"));
    assert!(!path_pattern_matches("/prod/*", "/dev/items"));
    assert!(path_pattern_matches("*", "/anything"));
}
