//! Gateway responses: customized ones (`x-amazon-apigateway-gateway-responses`) and the
//! facts about each type (default status, `x-amzn-ErrorType`, message).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A customized gateway response (`x-amazon-apigateway-gateway-responses`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GatewayResponse {
    /// `DEFAULT_4XX`, `UNAUTHORIZED`, … (unknown types are kept).
    pub response_type: String,
    pub status_code: Option<String>,
    /// `gatewayresponse.header.X` → `'literal'` or `method.request.header.Origin` …
    pub response_parameters: super::SortedMap<String, String>,
    pub response_templates: super::SortedMap<String, Option<String>>,
    pub extra: Map<String, Value>,
}

impl GatewayResponse {
    /// The expression mapped to `gatewayresponse.header.<header>`, case-insensitive.
    pub fn header_expression(&self, header: &str) -> Option<&str> {
        self.response_parameters.iter().find_map(|(k, v)| {
            let name = k.strip_prefix("gatewayresponse.header.")?;
            name.eq_ignore_ascii_case(header).then_some(v.as_str())
        })
    }
}

/// Facts about each gateway response type (REST). See shared/reference/api-gateway.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayResponseInfo {
    pub response_type: &'static str,
    pub default_status: u16,
    /// `x-amzn-ErrorType`.
    pub error_type: &'static str,
    /// The default `message` of the JSON body.
    pub message: &'static str,
}

/// The gateway response types this tool generates or reasons about.
pub const GATEWAY_RESPONSE_TYPES: &[GatewayResponseInfo] = &[
    gr(
        "ACCESS_DENIED",
        403,
        "AccessDeniedException",
        "User is not authorized to access this resource",
    ),
    gr(
        "API_CONFIGURATION_ERROR",
        500,
        "InternalServerErrorException",
        "Internal server error",
    ),
    gr(
        "AUTHORIZER_CONFIGURATION_ERROR",
        500,
        "InternalServerErrorException",
        "Internal server error",
    ),
    gr(
        "AUTHORIZER_FAILURE",
        500,
        "InternalServerErrorException",
        "Internal server error",
    ),
    gr(
        "BAD_REQUEST_PARAMETERS",
        400,
        "BadRequestException",
        "Missing required request parameters",
    ),
    gr(
        "BAD_REQUEST_BODY",
        400,
        "BadRequestException",
        "Invalid request body",
    ),
    gr(
        "EXPIRED_TOKEN",
        403,
        "ExpiredTokenException",
        "The security token included in the request is expired",
    ),
    gr(
        "INTEGRATION_FAILURE",
        504,
        "InternalServerErrorException",
        "Internal server error",
    ),
    gr(
        "INTEGRATION_TIMEOUT",
        504,
        "InternalServerErrorException",
        "Endpoint request timed out",
    ),
    gr("INVALID_API_KEY", 403, "ForbiddenException", "Forbidden"),
    gr(
        "INVALID_SIGNATURE",
        403,
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided",
    ),
    gr(
        "MISSING_AUTHENTICATION_TOKEN",
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    ),
    gr(
        "QUOTA_EXCEEDED",
        429,
        "LimitExceededException",
        "Limit Exceeded",
    ),
    gr(
        "REQUEST_TOO_LARGE",
        413,
        "RequestTooLargeException",
        "Request Too Long",
    ),
    gr("RESOURCE_NOT_FOUND", 404, "NotFoundException", "Not Found"),
    gr(
        "THROTTLED",
        429,
        "TooManyRequestsException",
        "Too Many Requests",
    ),
    gr("UNAUTHORIZED", 401, "UnauthorizedException", "Unauthorized"),
    gr(
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        "UnsupportedMediaTypeException",
        "Unsupported Media Type",
    ),
    gr("WAF_FILTERED", 403, "ForbiddenException", "Forbidden"),
];

const fn gr(
    response_type: &'static str,
    default_status: u16,
    error_type: &'static str,
    message: &'static str,
) -> GatewayResponseInfo {
    GatewayResponseInfo {
        response_type,
        default_status,
        error_type,
        message,
    }
}

/// Facts about a gateway response type; `None` for DEFAULT_4XX/5XX and unknown types.
pub fn gateway_response_info(response_type: &str) -> Option<&'static GatewayResponseInfo> {
    GATEWAY_RESPONSE_TYPES
        .iter()
        .find(|g| g.response_type == response_type)
}

/// The DEFAULT_* type a status falls back to (`DEFAULT_4XX` for 4xx, `DEFAULT_5XX` for 5xx).
pub fn default_response_type(status: u16) -> &'static str {
    if status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    }
}
