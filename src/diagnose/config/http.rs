//! What an HTTP API's configuration says: an authorized route that catches the browser's
//! OPTIONS, and a cors_configuration that does not allow the origin (or is missing).

use super::{Parts, CONFIG};
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::diagnose::steps::Ctx;
use crate::gateway::inspect::ConfigFacts;
use crate::gateway::model::AuthorizationType;

pub(super) fn refine_http(parts: &mut Parts, c: &Ctx, facts: &ConfigFacts) {
    let Some(http) = &facts.http else { return };
    // The route that catches OPTIONS, when it runs an authorizer, rejects the preflight
    // whether or not the API has a cors_configuration (gateway::behavior::preflight_route).
    let guarded = http
        .options_route
        .as_ref()
        .filter(|r| r.authorization != AuthorizationType::None);
    if let (true, Some(route)) = (c.plan.required, guarded) {
        let by = route
            .authorizer
            .as_ref()
            .map(|a| format!(" (authorizer '{}')", a.name))
            .unwrap_or_default();
        let cors_note = if http.cors.is_some() {
            " The API's cors_configuration does not help: a $default or ANY route catches every method not defined explicitly, OPTIONS included, and its authorizer answers first."
        } else {
            ""
        };
        // The OPTIONS route, the cors_configuration when it lacks the origin, and a deployment
        // when the stage does not deploy by itself (remedy::FixContext::unauthorize_options).
        let commands = c.fix.unauthorize_options();
        let mut text = "Add an OPTIONS /{proxy+} route without authorization, with an integration attached: it has priority over the catch-all route, so preflights no longer meet the authorizer. Keep the authorizer on the real routes.".to_string();
        if http.cors.is_none() {
            text.push_str(" Configure CORS on the API too, so API Gateway answers the preflight with the CORS headers.");
        }
        parts.explain(
            3,
            C::OptionsMissing,
            format!("OPTIONS reaches the route {} (step 4).", route.route_key),
        );
        parts.reopen(4);
        parts.add(4, Finding::error(
                C::OptionsAuthorized,
                format!(
                    "The route {} catches the browser's OPTIONS and has authorization {}{by}: the preflight, which never carries credentials, is rejected (401) before any CORS answer.{cors_note}",
                    route.route_key,
                    route.authorization.as_str()
                ),
            )
            .cites(CONFIG)
            .fix(text, commands),
        );
    }
    match (&http.cors, http.origin_allowed) {
        (Some(_), Some(false)) => parts.add(5, Finding::error(
                C::BackendHeadersIgnored,
                format!("The HTTP API's cors_configuration does not allow {}; API Gateway replaces the backend's CORS headers with its own, so fixing the function's headers cannot help.", c.ev.target.origin),
            )
            .cites(CONFIG)
            .fix("Add the origin to the API's cors_configuration.", c.fix.http_cors_configuration()),
        ),
        (Some(_), _) => parts.add(5, Finding::info(
                C::BackendHeadersIgnored,
                "The HTTP API has a cors_configuration: API Gateway answers preflights itself (unless an authorized route catches OPTIONS) and replaces any CORS headers the backend returns.",
            )
            .cites(CONFIG),
        ),
        (None, _) if c.plan.required && http.options_route.is_none() => parts.add(3, Finding::error(
                C::OptionsMissing,
                format!("The HTTP API has no cors_configuration and no route answers OPTIONS {}.", facts.path),
            )
            .cites(CONFIG)
            .fix("Configure CORS on the HTTP API.", c.fix.http_cors_configuration()),
        ),
        (None, _) => {}
    }
}
