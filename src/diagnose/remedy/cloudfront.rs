//! A CloudFront distribution's fix rendered: the AWS CLI round trip (read the config and its
//! ETag, edit it with `jq`, `update-distribution --if-match`) and the same setting in
//! CloudFormation (`AWS::CloudFront::Distribution` `DistributionConfig.DefaultCacheBehavior`),
//! CDK (`aws_cloudfront.Distribution` `defaultBehavior`) and Terraform
//! (`aws_cloudfront_distribution` `default_cache_behavior`).
//!
//! The CLI needs the whole config back with the ETag it was read with
//! (<https://docs.aws.amazon.com/cli/latest/reference/cloudfront/update-distribution.html>):
//! the commands read both in one call into a shell variable and pass them on, with no file, no
//! redirection and no pipeline (`jq -n --argjson`: the xtrace of a pipeline's members
//! interleaves, so a printed command would not trace the same twice; the config is an argument
//! of `update-distribution` anyway, so `--argjson` adds no size limit). The `jq` filters have
//! no spaces, so a narrow terminal never breaks them.

use super::quote;
use crate::gateway::change::{Change, ChangeSet};
use crate::gateway::front::cloudfront::{managed_policy_id, AllowedMethods, DistributionSetting};
use crate::gateway::model::ApiKind;

/// The `jq` filter that makes `setting` in a `DistributionConfig` (no spaces: it stays one
/// word when a report wraps).
fn jq_filter(setting: &DistributionSetting) -> String {
    let b = ".DefaultCacheBehavior";
    match setting {
        DistributionSetting::AllowedMethods { methods } => format!(
            "{b}.AllowedMethods.Quantity={}|{b}.AllowedMethods.Items={}",
            methods.methods().len(),
            json_list(methods.methods())
        ),
        DistributionSetting::CachePolicy { name } => format!(
            "{b}.CachePolicyId=\"{}\"|del({b}.ForwardedValues,{b}.MinTTL,{b}.DefaultTTL,{b}.MaxTTL)",
            managed_policy_id(name).unwrap_or(name)
        ),
        DistributionSetting::OriginRequestPolicy { name } => format!(
            "{b}.OriginRequestPolicyId=\"{}\"",
            managed_policy_id(name).unwrap_or(name)
        ),
        DistributionSetting::OriginProtocolPolicy { policy } => format!(
            "(.Origins.Items[]|select(.CustomOriginConfig)|.CustomOriginConfig.OriginProtocolPolicy)=\"{}\"",
            policy.as_str()
        ),
        DistributionSetting::RemoveViewerResponseFunctions { .. } => [
            "FunctionAssociations",
            "LambdaFunctionAssociations",
        ]
        .iter()
        .map(|k| {
            format!(
                "{b}.{k}|=(.Items//[]|map(select(.EventType!=\"viewer-response\"))|{{Quantity:length,Items:.}})"
            )
        })
        .collect::<Vec<_>>()
        .join("|"),
    }
}

fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// The bash commands that make `settings` on the distribution in one round trip, run in one
/// shell: read the config with its ETag once, take the ETag and the edited config from that
/// read, update once. No `--region` is appended (CloudFront is global).
pub fn commands(distribution_id: &str, settings: &[&DistributionSetting]) -> Vec<String> {
    // An id the user sets (`$DISTRIBUTION_ID`) is expanded; a real one is quoted.
    let id = if distribution_id.starts_with('$') {
        format!("\"{distribution_id}\"")
    } else {
        quote(distribution_id)
    };
    let edits: Vec<String> = settings.iter().map(|s| jq_filter(s)).collect();
    let filter = quote(&format!("$dist.DistributionConfig|{}", edits.join("|")));
    vec![
        format!("DIST=$(aws cloudfront get-distribution-config --id {id} --output json)"),
        "ETAG=$(jq -rn --argjson dist \"$DIST\" '$dist.ETag')".to_string(),
        format!("CONFIG=$(jq -cn --argjson dist \"$DIST\" {filter})"),
        format!(
            "aws cloudfront update-distribution --id {id} --if-match \"$ETAG\" --distribution-config \"$CONFIG\""
        ),
    ]
}

/// The CloudFront settings of a change set (empty when it has none).
pub fn settings(set: &ChangeSet) -> Vec<(&str, &DistributionSetting)> {
    set.changes
        .iter()
        .filter_map(|c| match c {
            Change::CloudFront {
                distribution_id,
                setting,
            } => Some((distribution_id.as_str(), setting)),
            _ => None,
        })
        .collect()
}

/// The settings as a CloudFormation (and SAM) `AWS::CloudFront::Distribution` whose origin
/// is the API: the keys the fix sets are marked `# the fix`, the rest is what such a
/// distribution needs (keep your own values for those).
pub fn cloudformation(settings: &[(&str, &DistributionSetting)], kind: ApiKind) -> String {
    let mut allowed = format!("[{}]", AllowedMethods::All.methods().join(", "));
    let mut allowed_fix = "";
    let mut cache = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad  # CachingDisabled".to_string();
    let mut origin_request: Option<String> = None;
    let mut protocol = "https-only".to_string();
    let mut protocol_fix = "";
    let mut functions = String::new();
    for (_, s) in settings {
        match s {
            DistributionSetting::AllowedMethods { methods } => {
                allowed = format!("[{}]", methods.methods().join(", "));
                allowed_fix = "  # the fix";
            }
            DistributionSetting::CachePolicy { name } => {
                cache = format!(
                    "{}  # the fix: {name} (managed); no ForwardedValues, no TTLs",
                    managed_policy_id(name).unwrap_or(name)
                );
            }
            DistributionSetting::OriginRequestPolicy { name } => {
                origin_request = Some(format!(
                    "{}  # the fix: {name} (managed)",
                    managed_policy_id(name).unwrap_or(name)
                ));
            }
            DistributionSetting::OriginProtocolPolicy { policy } => {
                protocol = policy.as_str().to_string();
                protocol_fix = "  # the fix";
            }
            DistributionSetting::RemoveViewerResponseFunctions { headers } => {
                functions = format!(
                    "          # the fix: no viewer-response entry in FunctionAssociations or\n          # LambdaFunctionAssociations (it adds {})\n",
                    headers.join(", ")
                );
            }
        }
    }
    let (api_type, what) = match kind {
        ApiKind::Rest => ("AWS::ApiGateway::RestApi", "the REST API"),
        ApiKind::Http => ("AWS::ApiGatewayV2::Api", "the HTTP API"),
    };
    let mut out = format!(
        "# The distribution in front of the API; the template must define:\n#   Api: {api_type} — {what} (its origin)\nResources:\n  ApiDistribution:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        Enabled: true\n        Origins:\n          - Id: api\n            DomainName: !Sub \"${{Api}}.execute-api.${{AWS::Region}}.amazonaws.com\"\n            CustomOriginConfig:\n              OriginProtocolPolicy: {protocol}{protocol_fix}\n        DefaultCacheBehavior:\n          TargetOriginId: api\n          ViewerProtocolPolicy: redirect-to-https\n          AllowedMethods: {allowed}{allowed_fix}\n          CachePolicyId: {cache}\n"
    );
    if let Some(orp) = origin_request {
        out.push_str(&format!("          OriginRequestPolicyId: {orp}\n"));
    }
    out.push_str(&functions);
    out
}

/// The settings as CDK (TypeScript, `aws-cdk-lib/aws-cloudfront`) `Distribution` props.
pub fn cdk(settings: &[(&str, &DistributionSetting)]) -> String {
    let mut lines = vec![
        "// import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';".to_string(),
        "// import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';".to_string(),
        "new cloudfront.Distribution(this, 'ApiDistribution', {".to_string(),
        "  defaultBehavior: {".to_string(),
    ];
    let mut origin = "origins.RestApiOrigin(api)".to_string();
    for (_, s) in settings {
        match s {
            DistributionSetting::AllowedMethods { methods } => lines.push(format!(
                "    allowedMethods: cloudfront.AllowedMethods.{},",
                match methods {
                    AllowedMethods::GetHead => "ALLOW_GET_HEAD",
                    AllowedMethods::GetHeadOptions => "ALLOW_GET_HEAD_OPTIONS",
                    AllowedMethods::All => "ALLOW_ALL",
                }
            )),
            DistributionSetting::CachePolicy { name } => lines.push(format!(
                "    cachePolicy: cloudfront.CachePolicy.{},",
                cdk_constant(name)
            )),
            DistributionSetting::OriginRequestPolicy { name } => lines.push(format!(
                "    originRequestPolicy: cloudfront.OriginRequestPolicy.{},",
                cdk_constant(name)
            )),
            DistributionSetting::OriginProtocolPolicy { policy } => {
                origin = format!(
                    "origins.HttpOrigin(apiDomain, {{ protocolPolicy: cloudfront.OriginProtocolPolicy.{} }})",
                    policy.as_str().replace('-', "_").to_ascii_uppercase()
                );
            }
            DistributionSetting::RemoveViewerResponseFunctions { headers } => lines.push(format!(
                "    // functionAssociations / edgeLambdas: no VIEWER_RESPONSE entry (it adds {})",
                headers.join(", ")
            )),
        }
    }
    lines.insert(4, format!("    origin: new {origin},"));
    lines.push("  },".to_string());
    lines.push("});".to_string());
    lines.join("\n")
}

/// `CachingDisabled` → `CACHING_DISABLED`, `CORS-CustomOrigin` → `CORS_CUSTOM_ORIGIN`,
/// `AllViewerExceptHostHeader` → `ALL_VIEWER_EXCEPT_HOST_HEADER`.
fn cdk_constant(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' {
            out.push('_');
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The settings as Terraform `aws_cloudfront_distribution` arguments.
pub fn terraform(settings: &[(&str, &DistributionSetting)]) -> String {
    let mut behavior: Vec<String> = Vec::new();
    let mut origin: Vec<String> = Vec::new();
    for (_, s) in settings {
        match s {
            DistributionSetting::AllowedMethods { methods } => behavior.push(format!(
                "    allowed_methods = {}",
                json_list(methods.methods())
            )),
            DistributionSetting::CachePolicy { name } => behavior.push(format!(
                "    cache_policy_id = \"{}\" # {name} (managed); remove forwarded_values and the ttls",
                managed_policy_id(name).unwrap_or(name)
            )),
            DistributionSetting::OriginRequestPolicy { name } => behavior.push(format!(
                "    origin_request_policy_id = \"{}\" # {name} (managed)",
                managed_policy_id(name).unwrap_or(name)
            )),
            DistributionSetting::OriginProtocolPolicy { policy } => origin.push(format!(
                "    custom_origin_config {{\n      origin_protocol_policy = \"{}\"\n    }}",
                policy.as_str()
            )),
            DistributionSetting::RemoveViewerResponseFunctions { headers } => behavior.push(format!(
                "    # function_association / lambda_function_association: remove the\n    # event_type = \"viewer-response\" blocks (they add {})",
                headers.join(", ")
            )),
        }
    }
    let mut out = String::from("resource \"aws_cloudfront_distribution\" \"api\" {\n");
    if !origin.is_empty() {
        out.push_str("  origin {\n");
        for o in origin {
            out.push_str(&o);
            out.push('\n');
        }
        out.push_str("  }\n");
    }
    if !behavior.is_empty() {
        out.push_str("  default_cache_behavior {\n");
        for b in behavior {
            out.push_str(&b);
            out.push('\n');
        }
        out.push_str("  }\n");
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::front::cloudfront::OriginProtocolPolicy;

    #[test]
    fn the_commands_read_once_have_no_redirection_and_keep_the_etag() {
        let c = commands(
            "EDFDVBD6EXAMPLE",
            &[&DistributionSetting::AllowedMethods {
                methods: AllowedMethods::GetHeadOptions,
            }],
        );
        let all = c.join("\n");
        assert!(!all.contains('<') && !all.contains('>'), "{all}");
        assert!(!all.contains(" | "), "no pipeline: {all}");
        assert!(c[3].contains("--if-match \"$ETAG\""));
        assert!(c[2].contains("[\"GET\",\"HEAD\",\"OPTIONS\"]"), "{all}");
        assert_eq!(
            c.iter()
                .filter(|c| c.contains("get-distribution-config"))
                .count(),
            1,
            "one read: {all}"
        );
        // The filter is one word (no spaces).
        assert!(
            c[2].split(' ')
                .any(|w| w.starts_with("'$dist.DistributionConfig|") && w.ends_with("')")),
            "{all}"
        );
    }

    #[test]
    fn a_distributions_settings_are_one_round_trip() {
        let set = ChangeSet {
            changes: vec![
                Change::CloudFront {
                    distribution_id: "E1".into(),
                    setting: DistributionSetting::AllowedMethods {
                        methods: AllowedMethods::GetHeadOptions,
                    },
                },
                Change::CloudFront {
                    distribution_id: "E1".into(),
                    setting: DistributionSetting::OriginRequestPolicy {
                        name: "AllViewerExceptHostHeader".into(),
                    },
                },
            ],
            ..ChangeSet::default()
        };
        let c = super::super::cli::commands(&set);
        let all = c.join("\n");
        assert_eq!(c.len(), 4, "{all}");
        assert_eq!(all.matches("get-distribution-config").count(), 1, "{all}");
        assert_eq!(all.matches("update-distribution").count(), 1, "{all}");
        assert!(
            c[2].contains("AllowedMethods.Quantity=3") && c[2].contains("OriginRequestPolicyId="),
            "{all}"
        );
    }

    #[test]
    fn managed_names_become_ids_and_cdk_constants() {
        let c = commands(
            "E1",
            &[&DistributionSetting::CachePolicy {
                name: "CachingDisabled".into(),
            }],
        )
        .join("\n");
        assert!(c.contains("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"), "{c}");
        assert_eq!(cdk_constant("CachingDisabled"), "CACHING_DISABLED");
        assert_eq!(cdk_constant("CORS-CustomOrigin"), "CORS_CUSTOM_ORIGIN");
        assert_eq!(
            cdk_constant("AllViewerExceptHostHeader"),
            "ALL_VIEWER_EXCEPT_HOST_HEADER"
        );
        let s = DistributionSetting::OriginProtocolPolicy {
            policy: OriginProtocolPolicy::HttpsOnly,
        };
        let set = [("E1", &s)];
        assert!(terraform(&set).contains("origin_protocol_policy = \"https-only\""));
        assert!(cloudformation(&set, ApiKind::Rest).contains("OriginProtocolPolicy: https-only"));
        assert!(cdk(&set).contains("OriginProtocolPolicy.HTTPS_ONLY"));
    }
}
