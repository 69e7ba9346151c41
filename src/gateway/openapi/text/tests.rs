use super::*;

#[test]
fn yaml_and_json_give_the_same_value() {
    let yaml = "openapi: 3.0.1\ninfo:\n  title: t\n  version: 1\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n";
    let json = r#"{"openapi":"3.0.1","info":{"title":"t","version":1},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
    assert_eq!(parse(yaml).unwrap(), parse(json).unwrap());
}

#[test]
fn short_tags_become_long_form() {
    let v = parse(
        "a: !Sub 'arn:${AWS::Region}'\nb: !GetAtt Fn.Arn\nc: !Ref X\nd: !Join ['', [a, b]]\n",
    )
    .unwrap();
    assert_eq!(v["a"], serde_json::json!({"Fn::Sub": "arn:${AWS::Region}"}));
    assert_eq!(v["b"], serde_json::json!({"Fn::GetAtt": ["Fn", "Arn"]}));
    assert_eq!(v["c"], serde_json::json!({"Ref": "X"}));
    assert_eq!(v["d"], serde_json::json!({"Fn::Join": ["", ["a", "b"]]}));
}

#[test]
fn scalars_follow_the_core_schema() {
    let v = parse("a: yes\nb: true\nc: '200'\nd: 200\ne: ~\nf: 1.5\ng: 007\n").unwrap();
    assert_eq!(v["a"], "yes");
    assert_eq!(v["b"], true);
    assert_eq!(v["c"], "200");
    assert_eq!(v["d"], 200);
    assert_eq!(v["e"], Value::Null);
    assert_eq!(v["f"], 1.5);
    assert_eq!(v["g"], "007");
}

#[test]
fn aliases_and_merge_keys() {
    let v = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n").unwrap();
    assert_eq!(v["use"], serde_json::json!({"y": 3, "x": 1}));
    assert_eq!(v["ref"], serde_json::json!({"x": 1, "y": 2}));
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        bomb.push_str(&format!(
            "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let e = parse(&bomb).unwrap_err();
    assert!(e.message.contains("alias"), "{e}");
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let e = parse(&format!("a: {deep}")).unwrap_err();
    // yaml-rust2's own recursion limit, or ours.
    assert!(
        e.message.contains("nested") || e.message.contains("recursion limit"),
        "{e}"
    );
}

#[test]
fn errors_carry_lines() {
    let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
    assert!(e.line.is_some(), "{e:?}");
    let e = parse("a: 1\na: 2\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e:?}");
    assert!(e.message.contains("duplicate key 'a'"), "{e}");
    let e = parse("{\n\"a\": 1,\n\"b\": }\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e:?}");
    assert!(e.message.starts_with("not valid JSON"), "{e}");
}

#[test]
fn line_of_finds_paths() {
    let yaml = "openapi: 3.0.1\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: magic\n        uri: x\n";
    assert_eq!(
        line_of(
            yaml,
            "paths./items.get.x-amazon-apigateway-integration.type"
        ),
        Some(6)
    );
    assert_eq!(
        line_of(yaml, "paths./items.get.x-amazon-apigateway-integration"),
        Some(5)
    );
    assert_eq!(line_of(yaml, "paths./items.get.nothing.here"), Some(4));
    let json = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\"security\": [{\"x\": []}]}\n    }\n  }\n}\n";
    assert_eq!(line_of(json, "paths./a.get.security[0].x"), Some(4));
}
