use std::collections::BTreeMap;

use super::*;
use crate::gateway::model::{AuthorizationType, Element, IntegrationType, UnresolvedKind};

fn no_params() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn one(text: &str) -> TemplateApi {
    let mut apis = import(text, "t.yaml", &no_params()).unwrap();
    assert_eq!(
        apis.len(),
        1,
        "{:?}",
        apis.iter().map(|a| &a.logical_id).collect::<Vec<_>>()
    );
    apis.remove(0)
}

fn line_of(api: &Api, e: Element) -> Option<u32> {
    api.source_of(&e).map(|s| s.line)
}

const SAM_DEFAULT_AUTH: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors:
        AllowOrigin: \"'https://app.example.com'\"
        AllowHeaders: \"'authorization'\"
      Auth:
        DefaultAuthorizer: Pool
        Authorizers:
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:1:userpool/x
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items
            Method: get
        Open:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /public
            Method: get
            Auth:
              Authorizer: NONE
";

#[test]
fn sam_default_authorizer_lands_on_generated_options() {
    let t = one(SAM_DEFAULT_AUTH);
    assert_eq!(t.logical_id, "Api");
    let api = &t.api;
    let items = api.resource("/items").unwrap();
    let options = items.method("OPTIONS").unwrap();
    assert_eq!(options.authorization, AuthorizationType::CognitoUserPools);
    assert_eq!(
        options.integration.as_ref().unwrap().kind,
        IntegrationType::Mock
    );
    let get = items.method("GET").unwrap();
    assert_eq!(get.authorization, AuthorizationType::CognitoUserPools);
    assert!(get.is_proxy());
    // An event's `Authorizer: NONE` keeps its method open; the OPTIONS of its path still
    // gets the default authorizer.
    let public = api.resource("/public").unwrap();
    assert_eq!(
        public.method("GET").unwrap().authorization,
        AuthorizationType::None
    );
    assert_eq!(
        public.method("OPTIONS").unwrap().authorization,
        AuthorizationType::CognitoUserPools
    );
    // The OPTIONS method points at DefaultAuthorizer (line 11), GET at its event (line 20).
    let opt = api
        .source_of(&Element::Method {
            path: "/items".into(),
            verb: "OPTIONS".into(),
        })
        .unwrap();
    assert_eq!((opt.line, opt.resource.as_deref()), (11, Some("Api")));
    let get = Element::Method {
        path: "/items".into(),
        verb: "GET".into(),
    };
    assert_eq!(line_of(api, get), Some(20));
    assert_eq!(
        api.source_of(&get_elem("/items"))
            .unwrap()
            .resource
            .as_deref(),
        Some("Fn")
    );
    assert_eq!(line_of(api, Element::Api), Some(3));
    assert_eq!(api.stages[0].name, "prod");
}

fn get_elem(path: &str) -> Element {
    Element::Method {
        path: path.into(),
        verb: "GET".into(),
    }
}

#[test]
fn add_default_authorizer_to_cors_preflight_false_keeps_options_open() {
    let text = SAM_DEFAULT_AUTH.replace(
        "        DefaultAuthorizer: Pool\n",
        "        DefaultAuthorizer: Pool\n        AddDefaultAuthorizerToCorsPreflight: false\n",
    );
    let t = one(&text);
    let items = t.api.resource("/items").unwrap();
    assert_eq!(
        items.method("OPTIONS").unwrap().authorization,
        AuthorizationType::None
    );
    assert_eq!(
        items.method("GET").unwrap().authorization,
        AuthorizationType::CognitoUserPools
    );
    // Now the OPTIONS method is the Cors property's.
    assert_eq!(
        line_of(
            &t.api,
            Element::Method {
                path: "/items".into(),
                verb: "OPTIONS".into()
            }
        ),
        Some(7)
    );
}

#[test]
fn sam_cors_maps_the_quoted_values_and_default_allow_methods() {
    let t = one(SAM_DEFAULT_AUTH);
    let o = t.api.resource("/items").unwrap().method("OPTIONS").unwrap();
    let ir = &o.integration.as_ref().unwrap().responses[0];
    assert_eq!(
        ir.mapped_header("Access-Control-Allow-Origin"),
        Some("'https://app.example.com'")
    );
    assert_eq!(
        ir.mapped_header("Access-Control-Allow-Methods"),
        Some("'GET,OPTIONS'")
    );
    assert!(o
        .response("200")
        .unwrap()
        .declares("Access-Control-Allow-Headers"));
}

#[test]
fn sam_api_key_required_and_its_preflight_switch() {
    let text = SAM_DEFAULT_AUTH.replace(
        "        DefaultAuthorizer: Pool\n",
        "        ApiKeyRequired: true\n",
    );
    let t = one(&text);
    let items = t.api.resource("/items").unwrap();
    assert!(items.method("OPTIONS").unwrap().api_key_required);
    assert!(items.method("GET").unwrap().api_key_required);
    let text = text.replace(
        "        ApiKeyRequired: true\n",
        "        ApiKeyRequired: true\n        AddApiKeyRequiredToCorsPreflight: false\n",
    );
    let t = one(&text);
    let items = t.api.resource("/items").unwrap();
    assert!(!items.method("OPTIONS").unwrap().api_key_required);
}

#[test]
fn implicit_api_globals_and_gateway_responses() {
    let text = "Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors: \"'*'\"
    GatewayResponses:
      DEFAULT_4XX:
        ResponseParameters:
          Headers:
            Access-Control-Allow-Origin: \"'*'\"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Events:
        Any:
          Type: Api
          Properties:
            Path: /things/{id}
            Method: any
";
    let t = one(text);
    assert_eq!(t.logical_id, sam::IMPLICIT_REST);
    // SAM names the implicit API after the stack, which the template does not say.
    assert_eq!(t.api.name, "");
    assert_eq!(t.api.stages[0].name, "Prod");
    let r = t.api.resource("/things/{id}").unwrap();
    assert!(r.method("ANY").is_some());
    let o = r.method("OPTIONS").unwrap();
    let methods = o.integration.as_ref().unwrap().responses[0]
        .mapped_header("Access-Control-Allow-Methods")
        .unwrap()
        .to_string();
    assert_eq!(methods, "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'");
    let gr = &t.api.gateway_responses[0];
    assert_eq!(gr.response_type, "DEFAULT_4XX");
    assert_eq!(
        line_of(
            &t.api,
            Element::GatewayResponse {
                response_type: "DEFAULT_4XX".into()
            }
        ),
        Some(6)
    );
}

const CDK: &str = r#"{
 "Resources": {
  "ItemsApi1A2B3C4D": {
   "Type": "AWS::ApiGateway::RestApi",
   "Properties": {"Name": "items"},
   "Metadata": {"aws:cdk:path": "Stack/ItemsApi/Resource"}
  },
  "ItemsApiitems5E6F7A8B": {
   "Type": "AWS::ApiGateway::Resource",
   "Properties": {
    "ParentId": {"Fn::GetAtt": ["ItemsApi1A2B3C4D", "RootResourceId"]},
    "PathPart": "items",
    "RestApiId": {"Ref": "ItemsApi1A2B3C4D"}
   }
  },
  "ItemsApiitemsidC0FFEE11": {
   "Type": "AWS::ApiGateway::Resource",
   "Properties": {
    "ParentId": {"Ref": "ItemsApiitems5E6F7A8B"},
    "PathPart": "{id}",
    "RestApiId": {"Ref": "ItemsApi1A2B3C4D"}
   }
  },
  "ItemsApiitemsidPUT12345678": {
   "Type": "AWS::ApiGateway::Method",
   "Properties": {
    "HttpMethod": "PUT",
    "ResourceId": {"Ref": "ItemsApiitemsidC0FFEE11"},
    "RestApiId": {"Ref": "ItemsApi1A2B3C4D"},
    "AuthorizationType": "COGNITO_USER_POOLS",
    "AuthorizerId": {"Ref": "ItemsAuthorizerABCDEF12"},
    "Integration": {
     "IntegrationHttpMethod": "POST",
     "Type": "AWS_PROXY",
     "Uri": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Handler886CB40B", "Arn"]}, "/invocations"]]}
    }
   }
  },
  "ItemsAuthorizerABCDEF12": {
   "Type": "AWS::ApiGateway::Authorizer",
   "Properties": {
    "Name": "ItemsAuthorizer",
    "RestApiId": {"Ref": "ItemsApi1A2B3C4D"},
    "Type": "COGNITO_USER_POOLS",
    "IdentitySource": "method.request.header.Authorization",
    "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}]
   }
  }
 }
}
"#;

#[test]
fn cdk_resource_chains_and_joined_uris() {
    let t = one(CDK);
    assert_eq!(t.api.name, "items");
    let m = t
        .api
        .resource("/items/{id}")
        .unwrap()
        .method("PUT")
        .unwrap();
    assert_eq!(m.authorization, AuthorizationType::CognitoUserPools);
    assert_eq!(m.authorizer.as_deref(), Some("ItemsAuthorizer"));
    assert!(m.is_proxy());
    assert!(t.api.resource("/items").is_some());
    let src = t
        .api
        .source_of(&Element::Method {
            path: "/items/{id}".into(),
            verb: "PUT".into(),
        })
        .unwrap();
    assert_eq!(src.line, 24);
    assert_eq!(src.resource.as_deref(), Some("ItemsApiitemsidPUT12345678"));
}

#[test]
fn parameters_defaults_and_missing_values_are_named() {
    let text = "Parameters:
  Origin:
    Type: String
  Stage:
    Type: String
    Default: dev
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Cors:
        AllowOrigin: !Sub \"'${Origin}'\"
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}}
";
    let t = one(text);
    assert_eq!(t.api.stages[0].name, "dev");
    // No Name: the body's title is the deployed name.
    assert_eq!(t.api.name, "t");
    assert!(
        t.api.unresolved.iter().any(|u| u.written == "Origin"
            && matches!(&u.kind, UnresolvedKind::Undefined(w) if w.contains("--parameter"))),
        "{:?}",
        t.api.unresolved
    );
    // The value that needs it says how to give it.
    assert!(
        t.api
            .unresolved
            .iter()
            .any(|u| matches!(u.kind, UnresolvedKind::Intrinsic(_))
                && u.written.contains("pass --parameter Origin=VALUE")),
        "{:?}",
        t.api.unresolved
    );
    // The body's path points into the template.
    assert_eq!(
        line_of(
            &t.api,
            Element::Method {
                path: "/a".into(),
                verb: "GET".into()
            }
        ),
        Some(19)
    );
    let mut given = BTreeMap::new();
    given.insert("Origin".to_string(), "https://app.example.com".to_string());
    given.insert("Stage".to_string(), "prod".to_string());
    let t = import(text, "t.yaml", &given).unwrap().remove(0);
    assert_eq!(t.api.stages[0].name, "prod");
    let o = t.api.resource("/a").unwrap().method("OPTIONS").unwrap();
    assert_eq!(
        o.integration.as_ref().unwrap().responses[0].mapped_header("Access-Control-Allow-Origin"),
        Some("'https://app.example.com'")
    );
    given.insert("Orign".to_string(), "x".to_string());
    let e = import(text, "t.yaml", &given).unwrap_err();
    assert!(
        e.message.contains("Orign") && e.message.contains("declares"),
        "{e}"
    );
}

#[test]
fn bad_templates_are_errors_with_lines() {
    let e = import(
        "Resources:\n  A:\n    Type: X\n    Properties:\n      B: !Reff C\n",
        "t",
        &no_params(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(5), "{e}");
    assert!(
        e.message.contains("unknown intrinsic function Fn::Reff"),
        "{e}"
    );
    let e = import("Resources:\n  A: [1, 2\n", "t", &no_params()).unwrap_err();
    assert!(e.line.is_some(), "{e}");
    let cycle = "Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
  A:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !Ref B
      PathPart: a
  B:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !Ref A
      PathPart: b
";
    let e = import(cycle, "t", &no_params()).unwrap_err();
    assert_eq!(e.line, Some(8), "{e}");
    assert!(
        e.message.contains("cycle") && e.message.contains("A → B → A"),
        "{e}"
    );
    let conditions =
        "Conditions:\n  X: !Condition Y\n  Y: !Condition X\nResources:\n  A:\n    Type: X\n";
    let e = import(conditions, "t", &no_params()).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("cycle"), "{e}");
    let e = import("Resources:\n  A: {}\n", "t", &no_params()).unwrap_err();
    assert!(e.message.contains("Type"), "{e}");
    let deep = format!(
        "Resources:\n  A:\n    Type: X\n    Properties: {}1{}\n",
        "[".repeat(300),
        "]".repeat(300)
    );
    let e = import(&deep, "t", &no_params()).unwrap_err();
    assert!(e.line.is_some(), "{e}");
    assert!(import("just text", "t", &no_params()).is_err());
}

#[test]
fn several_apis_are_chosen_by_id_or_path_never_guessed() {
    let text = "Resources:
  A:
    Type: AWS::Serverless::Api
    Properties:
      StageName: p
      DefinitionBody: {openapi: 3.0.1, info: {title: a, version: '1'}, paths: {/a: {get: {}}}}
  B:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody: {openapi: 3.0.1, info: {title: b, version: '1'}, paths: {/b: {get: {}}}}
";
    let apis = || import(text, "t", &no_params()).unwrap();
    assert_eq!(select(apis(), Some("B"), None).unwrap().logical_id, "B");
    assert_eq!(select(apis(), None, Some("/a")).unwrap().logical_id, "A");
    let e = select(apis(), None, None).unwrap_err();
    assert!(
        e.message
            .contains("A (AWS::Serverless::Api), B (AWS::Serverless::HttpApi)"),
        "{e}"
    );
    let e = select(apis(), Some("C"), None).unwrap_err();
    assert!(e.message.contains("--api-id C"), "{e}");
    let e = select(apis(), None, Some("/zzz")).unwrap_err();
    assert!(e.message.contains("none of them"), "{e}");
}

#[test]
fn http_api_cors_and_default_route() {
    let text = "Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [https://app.example.com]
        AllowHeaders: [authorization]
        AllowMethods: [GET]
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration:
              issuer: https://issuer.example.com
              audience: [abc]
            IdentitySource: $request.header.Authorization
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Events:
        Catch:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
";
    let t = one(text);
    assert_eq!(t.api.kind, ApiKind::Http);
    let cors = t.api.cors.as_ref().unwrap();
    assert_eq!(
        cors.allow_origins,
        vec!["https://app.example.com".to_string()]
    );
    let r = t
        .api
        .resource(crate::gateway::model::DEFAULT_ROUTE)
        .unwrap();
    assert_eq!(
        r.method("ANY").unwrap().authorization,
        AuthorizationType::Jwt
    );
    assert_eq!(t.api.stages[0].name, "$default");
    assert_eq!(line_of(&t.api, Element::Cors), Some(6));
}

#[test]
fn detects_the_file_kind() {
    let kind = |s: &str| detect(&serde_json::from_str(s).unwrap());
    assert_eq!(kind(r#"{"Resources": {}}"#), DefinitionKind::CloudFormation);
    assert_eq!(kind(r#"{"openapi": "3.0.1"}"#), DefinitionKind::OpenApi);
    assert_eq!(
        kind(r#"{"format_version": "1.2", "planned_values": {}}"#),
        DefinitionKind::TerraformPlan
    );
    assert_eq!(kind(r#"{"a": 1}"#), DefinitionKind::Unknown);
}

/// A 500-resource CDK-style template (125 resources × GET, POST, OPTIONS) imports in well under
/// a second even unoptimized (`lint` needs ≤ 100 ms in a release build).
#[test]
fn a_500_resource_template_imports_fast() {
    let mut res = serde_json::Map::new();
    res.insert(
        "Api".into(),
        serde_json::json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "big"}}),
    );
    for i in 0..125 {
        let parent = if i % 5 == 0 {
            serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]})
        } else {
            serde_json::json!({"Ref": format!("Res{}", i - 1)})
        };
        res.insert(
            format!("Res{i}"),
            serde_json::json!({"Type": "AWS::ApiGateway::Resource", "Properties": {
                "ParentId": parent, "PathPart": format!("p{i}"), "RestApiId": {"Ref": "Api"}}}),
        );
        for v in ["GET", "POST", "OPTIONS"] {
            res.insert(
                format!("M{i}{v}"),
                serde_json::json!({"Type": "AWS::ApiGateway::Method", "Properties": {
                    "HttpMethod": v, "ResourceId": {"Ref": format!("Res{i}")},
                    "RestApiId": {"Ref": "Api"}, "AuthorizationType": "NONE",
                    "Integration": {"Type": if v == "OPTIONS" { "MOCK" } else { "AWS_PROXY" },
                        "Uri": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x"]]},
                        "IntegrationResponses": [{"StatusCode": "204", "ResponseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": "'*'"}}]},
                    "MethodResponses": [{"StatusCode": "204", "ResponseParameters": {
                        "method.response.header.Access-Control-Allow-Origin": true}}]}}),
            );
        }
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ "Resources": res })).unwrap();
    // The fastest of three runs (the machine may be busy): a quadratic step would take
    // many seconds here.
    let mut took = std::time::Duration::MAX;
    let mut apis = Vec::new();
    for _ in 0..3 {
        let start = std::time::Instant::now();
        apis = import(&text, "big.json", &no_params()).unwrap();
        took = took.min(start.elapsed());
    }
    let t = apis.remove(0);
    assert_eq!(t.api.resources.len(), 125);
    assert_eq!(
        t.api
            .resource("/p0/p1/p2/p3/p4")
            .and_then(|r| r.method("OPTIONS"))
            .map(|m| m.http_method.as_str()),
        Some("OPTIONS")
    );
    eprintln!(
        "500-resource template: {} bytes imported in {took:?}",
        text.len()
    );
}

#[test]
fn sam_refuses_credentials_with_any_origin_and_so_do_we() {
    let text = SAM_DEFAULT_AUTH.replace(
        "        AllowOrigin: \"'https://app.example.com'\"\n",
        "        AllowCredentials: true\n",
    );
    let e = import(&text, "t", &no_params()).unwrap_err();
    assert_eq!(e.line, Some(7), "{e}");
    assert!(e.message.contains("AllowCredentials"), "{e}");
}

/// Path items and operations that are not objects never crash the builders: the import says
/// where they are wrong.
#[test]
fn malformed_definition_bodies_are_errors_not_panics() {
    for body in [
        "{openapi: 3.0.1, paths: {/items: x}}",
        "{openapi: 3.0.1, paths: {/items: {get: 5}}}",
        "{openapi: 3.0.1, paths: {/items: [1]}}",
        "{openapi: 3.0.1, paths: 7}",
    ] {
        for kind in ["AWS::Serverless::Api", "AWS::Serverless::HttpApi"] {
            let text = format!(
                "Resources:
  Api:
    Type: {kind}
    Properties:
      StageName: p
      Cors: \"'*'\"
      Auth:
        DefaultAuthorizer: AWS_IAM
        ApiKeyRequired: true
      DefinitionBody: {body}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /items, Method: get}}}}
        B: {{Type: HttpApi, Properties: {{ApiId: !Ref Api, Path: /items, Method: get}}}}
"
            );
            let _ = import(&text, "t", &no_params());
        }
    }
}

#[test]
fn an_event_path_the_template_does_not_decide_is_named() {
    let text = "Parameters:
  Base:
    Type: String
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: !Sub /${Base}/items
            Method: get
";
    let t = one(text);
    assert!(t.api.resources.is_empty(), "{:?}", t.api.resources);
    assert!(t
        .api
        .unresolved
        .iter()
        .any(|u| u.at == "Resources.Fn.Properties.Events.A.Properties.Path"));
    let mut given = BTreeMap::new();
    given.insert("Base".to_string(), "v1".to_string());
    let t = import(text, "t", &given).unwrap().remove(0);
    assert!(t.api.resource("/v1/items").is_some());
}

#[test]
fn http_api_cors_configuration_true_allows_every_origin_only() {
    let text = "Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths: {/a: {get: {}}}
        x-amazon-apigateway-cors: {allowHeaders: [x-b], maxAge: 5}
";
    let t = one(text);
    let c = t.api.cors.as_ref().unwrap();
    assert_eq!(c.allow_origins, vec!["*".to_string()]);
    assert!(c.allow_methods.is_empty());
    // The body's own keys stay unless the property names them.
    assert_eq!(c.allow_headers, vec!["x-b".to_string()]);
    assert_eq!(c.max_age, Some(5));
}

/// `DefaultAuthorizer: AWS_IAM` puts IAM on every method, the generated OPTIONS included
/// (unless AddDefaultAuthorizerToCorsPreflight: false).
#[test]
fn sam_aws_iam_default_authorizer_reaches_options() {
    let text = SAM_DEFAULT_AUTH.replace(
        "        DefaultAuthorizer: Pool\n",
        "        DefaultAuthorizer: AWS_IAM\n",
    );
    let t = one(&text);
    let items = t.api.resource("/items").unwrap();
    assert_eq!(
        items.method("OPTIONS").unwrap().authorization,
        AuthorizationType::AwsIam
    );
    assert_eq!(
        items.method("GET").unwrap().authorization,
        AuthorizationType::AwsIam
    );
    // The event that says NONE stays open.
    assert_eq!(
        t.api
            .resource("/public")
            .unwrap()
            .method("GET")
            .unwrap()
            .authorization,
        AuthorizationType::None
    );
}

#[test]
fn sam_http_api_refuses_credentials_with_every_origin() {
    let text = "Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ['*']
        AllowCredentials: true
";
    let e = import(text, "t", &no_params()).unwrap_err();
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.message.contains("AllowCredentials"), "{e}");
}

#[test]
fn a_sam_resource_policy_is_named_not_guessed_and_a_cfn_policy_is_read() {
    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth:\n        ResourcePolicy:\n          IpRangeWhitelist: [\"198.51.100.0/24\"]\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: x\n      Events:\n        Post:\n          Type: Api\n          Properties: {RestApiId: !Ref Api, Path: /items, Method: POST}\n";
    let t = one(sam);
    let named = t
        .api
        .unresolved
        .iter()
        .find(|u| u.at == "Resources.Api.Properties.Auth.ResourcePolicy")
        .expect("the ResourcePolicy is named");
    assert!(
        matches!(
            named.kind,
            crate::gateway::model::UnresolvedKind::NotModelled(_)
        ),
        "{named:?}"
    );
    assert!(named.reason().contains("not evaluated from the file"));
    // No policy is guessed for it.
    assert_eq!(
        crate::gateway::front::private::PrivateApi::from_definition(&t.api),
        Ok(None)
    );
    // CloudFormation's Policy (as text too) and VpcEndpointIds go where an export has them.
    let cfn = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: a\n      EndpointConfiguration: {Types: [PRIVATE], VpcEndpointIds: [vpce-0abc]}\n      Policy: '{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"execute-api:/*/GET/*\"}]}'\n";
    let t = one(cfn);
    let p = crate::gateway::front::private::PrivateApi::from_definition(&t.api)
        .unwrap()
        .expect("read");
    assert!(p.private_endpoint);
    assert_eq!(
        p.evaluate("OPTIONS", "/prod/items"),
        crate::gateway::front::private::PolicyOutcome::ImplicitDeny
    );
}
