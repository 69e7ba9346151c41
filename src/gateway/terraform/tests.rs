use serde_json::json;

use super::*;

fn plan(resources: Value, config: Value, changes: Value) -> String {
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}}
    })
    .to_string()
}

fn res(address: &str, values: Value) -> Value {
    let (t, n) = address.split_once('.').unwrap();
    json!({"address": address, "mode": "managed", "type": t, "name": n, "values": values})
}

fn cfg(address: &str, exprs: Value) -> Value {
    json!({"address": address, "mode": "managed", "expressions": exprs})
}

fn refs(r: &[&str]) -> Value {
    json!({ "references": r })
}

#[test]
fn bad_input_gives_clear_errors() {
    let e = import("{\n  \"format_version\": ", "p.json").unwrap_err();
    assert!(e.to_string().starts_with("p.json:2:"), "{e}");
    let e = import("[1]", "p.json").unwrap_err();
    assert!(e.to_string().contains("not a Terraform plan"), "{e}");
    let e = import(r#"{"format_version":"1.0","values":{}}"#, "s.json").unwrap_err();
    assert!(e.to_string().contains("is a state"), "{e}");
    // No API in the plan: nothing, and no error.
    assert!(import(&plan(json!([]), json!([]), json!([])), "p.json")
        .unwrap()
        .is_empty());
}

#[test]
fn resource_paths_follow_the_parent_chain_and_cycles_end() {
    let text = plan(
        json!([
            res("aws_api_gateway_rest_api.api", json!({"name": "a"})),
            res("aws_api_gateway_resource.a", json!({"path_part": "a"})),
            res("aws_api_gateway_resource.b", json!({"path_part": "{id}"})),
            res("aws_api_gateway_resource.x", json!({"path_part": "x"})),
            res("aws_api_gateway_resource.y", json!({"path_part": "y"})),
            res(
                "aws_api_gateway_method.b_get",
                json!({"http_method": "GET", "authorization": "CUSTOM"})
            ),
            res(
                "aws_api_gateway_method.y_get",
                json!({"http_method": "GET", "authorization": "NONE"})
            ),
        ]),
        json!([
            cfg(
                "aws_api_gateway_resource.a",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "parent_id": refs(&["aws_api_gateway_rest_api.api.root_resource_id", "aws_api_gateway_rest_api.api"])})
            ),
            cfg(
                "aws_api_gateway_resource.b",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "parent_id": refs(&["aws_api_gateway_resource.a.id"])})
            ),
            // x and y are each other's parent: no path.
            cfg(
                "aws_api_gateway_resource.x",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "parent_id": refs(&["aws_api_gateway_resource.y.id"])})
            ),
            cfg(
                "aws_api_gateway_resource.y",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "parent_id": refs(&["aws_api_gateway_resource.x.id"])})
            ),
            cfg(
                "aws_api_gateway_method.b_get",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "resource_id": refs(&["aws_api_gateway_resource.b.id"]), "authorizer_id": refs(&["var.authorizer_id"])})
            ),
            cfg(
                "aws_api_gateway_method.y_get",
                json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id"]), "resource_id": refs(&["aws_api_gateway_resource.y.id"])})
            ),
        ]),
        json!([]),
    );
    let apis = import(&text, "p.json").unwrap();
    let api = &apis[0];
    let paths: Vec<&str> = api.resources.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/a", "/a/{id}"]);
    assert!(api.resource("/a/{id}").unwrap().method("GET").is_some());
    // The method on the cycle and the authorizer from a variable are named, not guessed.
    let at: Vec<&str> = api.unresolved.iter().map(|u| u.at.as_str()).collect();
    assert!(
        at.contains(&"aws_api_gateway_method.y_get.resource_id"),
        "{at:?}"
    );
    assert!(
        at.contains(&"aws_api_gateway_method.b_get.authorizer_id"),
        "{at:?}"
    );
}

#[test]
fn unknown_values_are_named_and_literal_ids_resolve() {
    // An API created elsewhere (a literal id), a mapping known only after apply.
    let text = plan(
        json!([
            res(
                "aws_api_gateway_rest_api.api",
                json!({"name": "a", "id": "abc123", "root_resource_id": "root1"})
            ),
            res(
                "aws_api_gateway_method.root_options",
                json!({"rest_api_id": "abc123", "resource_id": "root1", "http_method": "OPTIONS", "authorization": "NONE"})
            ),
            res(
                "aws_api_gateway_integration_response.root_options",
                json!({"rest_api_id": "abc123", "resource_id": "root1", "http_method": "OPTIONS", "status_code": "200"})
            ),
        ]),
        json!([]),
        json!([{
            "address": "aws_api_gateway_integration_response.root_options", "mode": "managed",
            "type": "aws_api_gateway_integration_response",
            "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"response_parameters": true}}
        }]),
    );
    let api = &import(&text, "p.json").unwrap()[0];
    assert!(api.resource("/").unwrap().method("OPTIONS").is_some());
    let u = &api.unresolved[0];
    assert_eq!(u.kind, UnresolvedKind::AfterApply);
    assert_eq!(u.needed.as_ref().unwrap().step, 5);
    assert!(
        u.reason().contains("known only after terraform apply"),
        "{}",
        u.reason()
    );
}

#[test]
fn the_resource_policy_and_vpc_endpoints_are_read_where_an_export_writes_them() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/*"}]}"#;
    // The policy of an aws_api_gateway_rest_api_policy naming the API wins over none.
    let text = plan(
        json!([
            res(
                "aws_api_gateway_rest_api.api",
                json!({"name": "a", "endpoint_configuration": [{"types": ["PRIVATE"], "vpc_endpoint_ids": ["vpce-0abc"]}]})
            ),
            res(
                "aws_api_gateway_rest_api_policy.p",
                json!({"policy": policy})
            ),
        ]),
        json!([cfg(
            "aws_api_gateway_rest_api_policy.p",
            json!({"rest_api_id": refs(&["aws_api_gateway_rest_api.api.id", "aws_api_gateway_rest_api.api"])})
        )]),
        json!([]),
    );
    let apis = import(&text, "p.json").unwrap();
    let private = crate::gateway::front::private::PrivateApi::from_definition(&apis[0])
        .unwrap()
        .expect("a policy and a private endpoint");
    assert!(private.private_endpoint);
    assert!(private.caller.unknown);
    assert_eq!(
        private.policy.unwrap()["Statement"][0]["Resource"],
        "execute-api:/*/GET/*"
    );
    // The rest_api's own policy attribute, without a policy resource.
    let text = plan(
        json!([res(
            "aws_api_gateway_rest_api.api",
            json!({"name": "a", "policy": policy})
        )]),
        json!([]),
        json!([]),
    );
    let apis = import(&text, "p.json").unwrap();
    let private = crate::gateway::front::private::PrivateApi::from_definition(&apis[0])
        .unwrap()
        .expect("a policy");
    assert!(!private.private_endpoint);
    assert!(private.policy.is_some());
}
