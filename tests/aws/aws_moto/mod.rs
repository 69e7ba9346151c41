//! The SDK source against moto's server (an independent emulator of the API Gateway control
//! plane) on loopback. Each test creates its API through the Rust SDK, then checks that the
//! lookups rebuild it (ids, methods, mappings, authorizers) and that the diagnosis finds the
//! scenario's cause with commands that carry the real ids, within the call budget.
//!
//! Needs MOTO_ENDPOINT=http://127.0.0.1:PORT (scripts/moto.sh starts one; scripts/test.sh sets
//! it). Without it the tests print why and pass, unless CORS_DOCTOR_REQUIRE_MOTO is set.
//! moto gaps covered elsewhere: apigatewayv2 GetAuthorizers and the deployment's apiSummary
//! are added by scripts/moto_server.py; the null template and AccessDenied are also tested
//! against recorded responses (tests/aws/aws_recorded.rs).

use crate::support as aws;

use std::time::Instant;

use aws_sdk_apigateway::types::{AuthorizerType, GatewayResponseType};
use aws_sdk_apigatewayv2::types as v2t;

mod audit;
mod front_live;
mod http_and_domains;
mod rest;

const ORIGIN: &str = "https://app.example.com";

impl aws::Rest {
    /// The console's "Enable CORS" leaves `"responseTemplates": {"application/json": null}`;
    /// the SDK cannot send a null, so this PUT is raw JSON (moto keeps the null).
    async fn null_template(&self, rid: &str, verb: &str, mapped: &[(&str, &str)]) {
        let params: serde_json::Map<String, serde_json::Value> = mapped
            .iter()
            .map(|(h, v)| {
                (
                    format!("method.response.header.{h}"),
                    serde_json::Value::String(v.to_string()),
                )
            })
            .collect();
        let body = serde_json::json!({"responseParameters": params, "responseTemplates": {"application/json": null}});
        let url = format!(
            "{}/restapis/{}/resources/{rid}/methods/{verb}/integration/responses/200",
            self.ep, self.id
        );
        let resp = reqwest::Client::new()
            .put(url)
            .header("Content-Type", "application/json")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap();
        let text = resp.text().await.unwrap();
        assert!(
            text.contains("\"application/json\": null"),
            "moto kept the null template: {text}"
        );
    }

    async fn cors_gateway_responses(&self) {
        for t in [
            GatewayResponseType::Default4Xx,
            GatewayResponseType::Default5Xx,
        ] {
            self.c
                .put_gateway_response()
                .rest_api_id(&self.id)
                .response_type(t)
                .response_parameters(
                    "gatewayresponse.header.Access-Control-Allow-Origin",
                    format!("'{ORIGIN}'"),
                )
                .send()
                .await
                .unwrap();
        }
    }

    async fn token_authorizer(&self) -> String {
        self.c.create_authorizer().rest_api_id(&self.id).name("tok").r#type(AuthorizerType::Token)
            .authorizer_uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
            .identity_source("method.request.header.Authorization")
            .send().await.unwrap().id.unwrap()
    }
}

const ALL: [&str; 3] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
];
const ALLOW: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "'https://app.example.com'"),
    ("Access-Control-Allow-Methods", "'PUT,OPTIONS'"),
    (
        "Access-Control-Allow-Headers",
        "'content-type,authorization'",
    ),
];

async fn put_items(ep: &str, api: &str, stage: &str) -> cors_doctor::report::Report {
    let plan = aws::offline_plan(
        ep,
        api,
        stage,
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    aws::diagnose(&plan).await
}

fn has(report: &cors_doctor::report::Report, code: &str) -> bool {
    aws::codes(report).iter().any(|c| c == code)
}
