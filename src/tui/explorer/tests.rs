use super::*;

use crate::gateway::inspect;
use crate::gateway::scenario::Scenario;

fn tree(name: &str) -> ApiTree {
    let s = Scenario::by_name(name).unwrap();
    ApiTree::new(
        &s.api,
        Some(s.stage()),
        &s.spec.request.path,
        &s.spec.request.method,
    )
}

fn row<'a>(t: &'a ApiTree, path: &str, method: Option<&str>) -> &'a Row {
    t.rows
        .iter()
        .find(|r| t.path_of(r) == path && r.method.as_deref() == method)
        .unwrap()
}

#[test]
fn readiness_follows_the_configuration() {
    let t = tree("options-cognito-authorizer");
    let r = row(&t, "/profile", None);
    assert_eq!(r.level, Level::Bad);
    assert!(r.cors.contains("Cognito"), "{}", r.cors);
    assert_eq!(row(&t, "/profile", Some("OPTIONS")).auth, "Cognito");

    let t = tree("header-declared-not-mapped");
    let r = row(&t, "/settings", None);
    assert_eq!(r.level, Level::Bad, "{}", r.cors);
    assert!(r.cors.contains("declared, not mapped"), "{}", r.cors);

    let t = tree("rest-healthy");
    assert_eq!(row(&t, "/bookings", None).level, Level::Ok);
    assert_eq!(row(&t, "/bookings", Some("GET")).level, Level::Depends);

    let t = tree("http-api-default-route-jwt");
    let r = row(&t, DEFAULT_ROUTE, None);
    assert_eq!(r.level, Level::Bad, "{}", r.cors);
    assert!(r.cors.contains("JWT"), "{}", r.cors);

    let t = tree("http-api-healthy");
    assert_eq!(row(&t, "/tasks", None).level, Level::Ok);
    assert!(t.current.is_some());
}

/// The explorer and step 5 share one answer to "is this CORS header sent": a default
/// integration response of another status does not make a 200's header mapped.
#[test]
fn the_explorer_and_the_diagnosis_agree_on_which_headers_are_sent() {
    let doc = serde_json::json!({
      "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
      "paths": { "/items": { "get": {
        "responses": { "200": { "description": "ok", "headers": {
            "Access-Control-Allow-Origin": { "schema": { "type": "string" } } } } },
        "x-amazon-apigateway-integration": { "type": "mock",
          "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
          "responses": {
            "default": { "statusCode": "400", "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'" } },
            "2\\d{2}": { "statusCode": "200" } } } } } }
    });
    let api = crate::gateway::openapi::import(&doc).unwrap();
    let t = ApiTree::new(&api, None, "/items", "GET");
    let get = row(&t, "/items", Some("GET"));
    let facts = inspect::facts(&api, None, "/items", "GET");
    let acao = facts.rest.unwrap().actual.unwrap();
    let acao = acao.cors_header("Access-Control-Allow-Origin").unwrap();
    assert!(acao.declared && acao.mapped.is_none());
    assert_eq!(get.level, Level::Bad, "{}", get.cors);
    assert!(get.cors.contains("declared, not mapped"), "{}", get.cors);
}

#[test]
fn an_authorized_catch_all_route_is_bad_even_with_cors_configured() {
    let t = tree("http-api-default-route-jwt-cors");
    let r = row(&t, DEFAULT_ROUTE, None);
    assert_eq!(r.level, Level::Bad, "{}", r.cors);
    assert!(
        r.cors.contains("despite the cors_configuration"),
        "{}",
        r.cors
    );
    let t = tree("http-api-any-proxy-jwt");
    let r = row(&t, "/{proxy+}", None);
    assert_eq!(r.level, Level::Bad, "{}", r.cors);
}

#[test]
fn the_filter_keeps_the_tree_readable() {
    let t = tree("rest-healthy");
    let all = t.filter("");
    assert_eq!(all.len(), t.rows.len());
    // A method match brings its resource row along.
    let rows: Vec<&Row> = t
        .filter("{id} get")
        .iter()
        .map(|&i| &t.rows[i as usize])
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].method, None);
    assert_eq!(rows[1].method.as_deref(), Some("GET"));
    // A resource match shows all its methods.
    assert_eq!(t.filter("/bookings/{id}").len(), 3);
    assert!(t.filter("nothing-like-this").is_empty());
}

#[test]
fn params_are_filled() {
    assert_eq!(fill_params("/items/{id}/x/{proxy+}"), "/items/1/x/1");
    assert_eq!(fill_params("/"), "/");
}

#[test]
fn the_stage_prefix_comes_from_the_url() {
    assert_eq!(stage_prefix("/prod/items", "/items", Some("prod")), "/prod");
    assert_eq!(stage_prefix("/items", "/items", Some("$default")), "");
    assert_eq!(stage_prefix("/v1/base/items", "/items", None), "/v1/base");
    assert_eq!(stage_prefix("/prod/", "/", Some("prod")), "/prod");
    assert_eq!(stage_prefix("/other", "/items", Some("dev")), "/dev");
}
