//! Infrastructure-as-code snippets: a remedy's [`ChangeSet`] rendered as CloudFormation YAML,
//! SAM YAML, CDK TypeScript (aws-cdk-lib v2) and Terraform HCL, beside the AWS CLI commands
//! (issue 14, item 3). Pure functions, ChangeSet → text; one file per flavour.
//!
//! Most API Gateway APIs are deployed from a template: a CLI change there is drift that the
//! next deploy erases, so each finding also carries the same change in the form the team
//! deploys with. Every snippet:
//! - **names what it patches**: the logical id (CloudFormation, SAM), the construct variable
//!   (CDK: the parameters of the function it defines) or the Terraform address. When the API
//!   was read from a template or plan, the model's [`Api::sources`] carry those names and
//!   their file and line; otherwise the names are derived from the path (`/items/{id}` →
//!   `ItemsIdResource`, `aws_api_gateway_resource.items_id`) and a comment says so. CloudFormation
//!   and SAM snippets list the resources they expect in the template in a header comment
//!   (`#   ItemsResource: AWS::ApiGateway::Resource — …`), one per line.
//! - **creates** what the change set creates, and for what exists shows only the properties
//!   to add or change on the named resource (with the identifying properties, so the
//!   resource is recognisable and the fragment valid where it is merged);
//! - **never weakens authorization on a non-OPTIONS method**: authorization and the API key
//!   requirement are only switched off on an `OPTIONS` method or on the `OPTIONS` route, as the
//!   change types allow ([`Change::OptionsAuthorizationOff`](crate::gateway::change::Change::OptionsAuthorizationOff), [`Change::RouteAuthorizationOff`](crate::gateway::change::Change::RouteAuthorizationOff));
//!   `Auth.AddDefaultAuthorizerToCorsPreflight` only concerns the preflight (SAM);
//! - **never pairs `*` with credentials**: values are the change set's literal values (the
//!   remedy allows the exact origin), rendered as they are.
//!
//! What each flavour makes of each change (AWS documentation in brackets):
//!
//! | change | CloudFormation | SAM | CDK | Terraform |
//! |---|---|---|---|---|
//! | OPTIONS MOCK method + responses | `AWS::ApiGateway::Method` with `Integration` (MOCK, `IntegrationResponses`) and `MethodResponses` (1) | `Cors` on `AWS::Serverless::Api` (2) | `addCorsPreflight` on the resource (3) | `aws_api_gateway_method`, `_method_response`, `_integration`, `_integration_response` |
//! | OPTIONS authorization off | `AuthorizationType: NONE`, `ApiKeyRequired: false` on the OPTIONS method | `Auth.AddDefaultAuthorizerToCorsPreflight` / `AddApiKeyRequiredToCorsPreflight: false` (4) | the OPTIONS `CfnMethod` (escape hatch) | `authorization = "NONE"` on the OPTIONS method |
//! | declare / map a header on a method | the method's `MethodResponses` / `Integration.IntegrationResponses` | the `DefinitionBody` operation (OpenAPI) | typed `MethodResponse` / `IntegrationResponse` values for the method's `addMethod` call | `response_parameters` of `_method_response` / `_integration_response` |
//! | gateway response headers | `AWS::ApiGateway::GatewayResponse` (5) | `GatewayResponses` (2) | `addGatewayResponse` | `aws_api_gateway_gateway_response` |
//! | HTTP `cors_configuration` | `CorsConfiguration` on `AWS::ApiGatewayV2::Api` (6) | `CorsConfiguration` on `AWS::Serverless::HttpApi` (7) | `corsPreflight` (`CorsPreflightOptions`) | `cors_configuration` of `aws_apigatewayv2_api` |
//! | HTTP `OPTIONS` route without authorization | `AWS::ApiGatewayV2::Route`, `AuthorizationType: NONE` (8) | an `HttpApi` event with `Auth.Authorizer: NONE` (9) | `addRoutes` with `HttpNoneAuthorizer` | `aws_apigatewayv2_route`, `authorization_type = "NONE"` |
//! | deploy | a new `AWS::ApiGateway::Deployment` (V2: `AWS::ApiGatewayV2::Deployment`), the stage pointed at it (10) | (SAM redeploys by itself) | (a `RestApi` redeploys by itself (12)) | `triggers` on the deployment (11) |
//!
//! 1. <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-method.html>
//! 2. <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html>
//! 3. <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.CorsOptions.html>
//! 4. <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html>
//! 5. <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-gatewayresponse.html>
//! 6. <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigatewayv2-api-cors.html>
//! 7. <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html>
//! 8. <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-route.html>
//! 9. <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapifunctionauth.html>
//! 10. <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-deployment.html>
//! 11. <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_deployment>
//!     (the `triggers` argument, hashicorp/terraform-provider-aws#13054 and #13055)
//! 12. <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.Deployment.html>
//!
//! Choices the documentation leaves open:
//! - **CloudFormation redeploys nothing by itself**: an `AWS::ApiGateway::Deployment` is
//!   created once, so a changed method reaches the stage only through a new deployment
//!   resource. The snippet adds one under a new logical id, depending on the changed
//!   methods, and points the stage at it. The CloudFormation reference only says a deployment
//!   deploys the API to a stage (10); that it stays the snapshot of its creation until its
//!   logical id changes is what the CDK documentation of `Deployment` spells out (12) (and why
//!   a `RestApi`'s own deployment hashes the API into its logical id).
//! - **Terraform** replaces a deployment only when its `triggers` change (11); the snippet
//!   lists the ids of what the fix creates or patches (the provider documents this pattern and
//!   warns that ids do not catch every later change) with `create_before_destroy`, and when only
//!   the deployment is stale it says to `terraform apply -replace` it.
//! - **SAM `Cors`** applies to every path of the API (SAM adds an OPTIONS method to each), not
//!   only the resource under diagnosis; it is still what SAM users write, and the values are
//!   the ones the diagnosed request needs. `AddDefaultAuthorizerToCorsPreflight` concerns only
//!   the OPTIONS methods SAM generates: an OPTIONS operation written in `DefinitionBody` needs
//!   `security: []` instead (the comment says so). SAM and CDK create a new deployment when
//!   the API changes, so their snippets add none.
//! - **CDK** `addCorsPreflight` creates the OPTIONS method with `AuthorizationType.NONE` and no
//!   API key whatever `defaultMethodOptions` say (aws-cdk-lib 2.276, `resource.js`); older
//!   releases inherited the default authorizer (aws-cdk #8615), hence the escape hatch for an
//!   OPTIONS method that exists. Snippets for methods that exist are typed values to merge into
//!   the user's own `addMethod` call, not overrides: a property override would replace the
//!   whole `MethodResponses` list.
//! - **HTTP routes in SAM**: a route lives on a function's `HttpApi` event; the OPTIONS route
//!   is added to the function behind the route that caught the preflight (its integration is
//!   the one the change names), with `Auth.Authorizer: NONE`, which SAM documents as the way
//!   to make one function's route public under a default authorizer (9). The function's
//!   logical id is not in an HTTP API's model unless a SAM template recorded it, so it is
//!   usually derived (`AnyProxyFunction`) and marked assumed.
//! - **Existing resources in CloudFormation** are shown with their identifying properties
//!   (`RestApiId`, `ResourceId`, `HttpMethod`, and the integration's `Type`/`Uri` from the model
//!   when known) plus what to add, marked "exists": CloudFormation has no partial update, and
//!   lists such as `MethodResponses` replace rather than merge, so the user merges by hand.
//! - **Terraform** has no partial resources: a resource that exists is shown with the
//!   attributes to set, and the comment says to merge them into the existing block.
//!
//! The validity of every flavour is tested on the remedies of every scenario
//! (`tests/it/snippets.rs`: `cfn-lint`, `python-hcl2`) and by `scripts/check-cdk-snippets.sh`
//! (`tsc` against `aws-cdk-lib`).

mod cdk;
mod cloudformation;
mod digest;
mod names;
mod sam;
mod terraform;
#[cfg(test)]
mod tests;
mod text;

use serde::{Deserialize, Serialize};

use crate::gateway::change::ChangeSet;
use crate::gateway::model::Api;

/// How a fix is shown: the AWS CLI commands or one of the infrastructure-as-code flavours
/// (`--fix-format`, the config's `fix_format`, the TUI's remediation pane).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    #[default]
    Cli,
    Cloudformation,
    Sam,
    Cdk,
    Terraform,
}

impl Flavour {
    pub const ALL: [Flavour; 5] = [
        Flavour::Cli,
        Flavour::Cloudformation,
        Flavour::Sam,
        Flavour::Cdk,
        Flavour::Terraform,
    ];

    /// The name on the command line and in the config (`cloudformation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flavour::Cli => "cli",
            Flavour::Cloudformation => "cloudformation",
            Flavour::Sam => "sam",
            Flavour::Cdk => "cdk",
            Flavour::Terraform => "terraform",
        }
    }

    /// The name shown to people (`CloudFormation (YAML)`).
    pub fn label(self) -> &'static str {
        match self {
            Flavour::Cli => "AWS CLI",
            Flavour::Cloudformation => "CloudFormation (YAML)",
            Flavour::Sam => "SAM (YAML)",
            Flavour::Cdk => "CDK (TypeScript)",
            Flavour::Terraform => "Terraform (HCL)",
        }
    }

    /// The next flavour, wrapping (the TUI cycles through them).
    pub fn next(self) -> Flavour {
        let i = Flavour::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Flavour::ALL[(i + 1) % Flavour::ALL.len()]
    }

    /// Parses a name (`cli`, `cloudformation`, `cfn`, `sam`, `cdk`, `terraform`, `tf`).
    pub fn parse(s: &str) -> Option<Flavour> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cli" | "aws" | "aws-cli" | "aws_cli" => Some(Flavour::Cli),
            "cloudformation" | "cfn" => Some(Flavour::Cloudformation),
            "sam" => Some(Flavour::Sam),
            "cdk" => Some(Flavour::Cdk),
            "terraform" | "tf" => Some(Flavour::Terraform),
            _ => None,
        }
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A remedy in every flavour (`"snippets"` under a finding's remediation in JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippets {
    /// The AWS CLI commands, joined by newlines.
    pub aws_cli: String,
    pub cloudformation: String,
    pub sam: String,
    pub cdk: String,
    pub terraform: String,
}

impl Snippets {
    /// Renders `set` in every flavour. `commands` are the AWS CLI commands rendered from the
    /// same change set; `api` the model the set applies to, when the configuration was read
    /// (its sources name the resources; it says which integration a method has).
    pub fn render(set: &ChangeSet, api: Option<&Api>, commands: &[String]) -> Snippets {
        // A CloudFront distribution's settings are not the API's template.
        let cloudfront = super::cloudfront::settings(set);
        if !cloudfront.is_empty() && cloudfront.len() == set.changes.len() {
            let cfn = super::cloudfront::cloudformation(&cloudfront, set.api.kind);
            return Snippets {
                aws_cli: commands.join("\n"),
                cloudformation: cfn.clone(),
                sam: cfn,
                cdk: super::cloudfront::cdk(&cloudfront),
                terraform: super::cloudfront::terraform(&cloudfront),
            };
        }
        Snippets {
            aws_cli: commands.join("\n"),
            cloudformation: render(Flavour::Cloudformation, set, api),
            sam: render(Flavour::Sam, set, api),
            cdk: render(Flavour::Cdk, set, api),
            terraform: render(Flavour::Terraform, set, api),
        }
    }

    /// The text of one flavour.
    pub fn get(&self, flavour: Flavour) -> &str {
        match flavour {
            Flavour::Cli => &self.aws_cli,
            Flavour::Cloudformation => &self.cloudformation,
            Flavour::Sam => &self.sam,
            Flavour::Cdk => &self.cdk,
            Flavour::Terraform => &self.terraform,
        }
    }

    /// Applies `f` to every text (masking, escaping).
    pub fn map(&mut self, f: impl Fn(&str) -> String) {
        for s in [
            &mut self.aws_cli,
            &mut self.cloudformation,
            &mut self.sam,
            &mut self.cdk,
            &mut self.terraform,
        ] {
            *s = f(s);
        }
    }
}

/// Renders `set` in one infrastructure-as-code flavour (`Flavour::Cli` has no renderer here:
/// the commands come from `remedy`, and this returns an empty string for it).
pub fn render(flavour: Flavour, set: &ChangeSet, api: Option<&Api>) -> String {
    if set.changes.is_empty() {
        return String::new();
    }
    let digest = digest::Digest::new(set);
    let names = names::Names::new(set, api);
    match flavour {
        Flavour::Cli => String::new(),
        Flavour::Cloudformation => cloudformation::render(&digest, &names),
        Flavour::Sam => sam::render(&digest, &names),
        Flavour::Cdk => cdk::render(&digest, &names),
        Flavour::Terraform => terraform::render(&digest, &names),
    }
}
