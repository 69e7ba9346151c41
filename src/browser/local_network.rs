//! Chromium's Local Network Access checks: whether the target is on a more private network
//! than the page, and granting the page's origin the permission to reach it.

use std::net::IpAddr;

use serde_json::json;

use super::cdp::Cdp;
use super::CALL_TIMEOUT;
use crate::target::Target;

/// The address space of the target when it is more private than the page's origin:
/// `loopback-network` or `local-network`. A name `--resolve` maps (`resolve`) is in the
/// space of its address, as Chromium sees it through `--host-resolver-rules`.
pub(super) fn more_private_space(
    target: &Target,
    resolve: &[(String, IpAddr)],
) -> Option<&'static str> {
    fn space(host: Option<url::Host<&str>>) -> u8 {
        match host {
            _ if crate::target::is_loopback_host(host.clone()) => 0,
            Some(url::Host::Ipv4(ip)) => ip_space(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => ip_space(IpAddr::V6(ip)),
            _ => 2,
        }
    }
    fn ip_space(ip: IpAddr) -> u8 {
        match ip {
            IpAddr::V4(v4) if v4.is_loopback() => 0,
            IpAddr::V4(v4) if v4.is_private() || v4.is_link_local() => 1,
            IpAddr::V6(v6) if v6.is_loopback() => 0,
            IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 => 1,
            IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => 1,
            _ => 2,
        }
    }
    let mapped = target.url.host_str().and_then(|h| {
        resolve
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(h))
            .map(|(_, ip)| *ip)
    });
    let target_space = match mapped {
        Some(ip) => ip_space(ip),
        None => space(target.url.host()),
    };
    let origin_space = url::Url::parse(&target.origin)
        .ok()
        .map_or(2, |u| space(u.host()));
    match (target_space < origin_space, target_space) {
        (false, _) => None,
        (true, 0) => Some("loopback-network"),
        (true, _) => Some("local-network"),
    }
}

/// Grants the page's origin the Local Network Access permission; returns the warning that
/// says so (or that it failed).
pub(super) async fn grant_local_network(
    cdp: &Cdp,
    context_id: &str,
    origin: &str,
    space: &str,
) -> String {
    let mut errors = Vec::new();
    for name in [space, "local-network-access"] {
        let granted = cdp
            .call(
                "Browser.setPermission",
                json!({
                    "permission": { "name": name },
                    "setting": "granted",
                    "origin": origin,
                    "browserContextId": context_id,
                }),
                None,
                CALL_TIMEOUT,
            )
            .await;
        match granted {
            Ok(_) => {
                return format!("Local Network Access: the target is on a more private network than the page, so the retest granted {origin} Chromium's '{name}' permission (a user's browser asks for it first and blocks the request if refused)");
            }
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    format!(
        "Local Network Access: could not grant {origin} the permission to reach the target ({}); Chromium may block the request for that reason alone",
        errors.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn more_private_space_of(target: &Target) -> Option<&'static str> {
        more_private_space(target, &[])
    }
    use crate::http::Headers;

    #[test]
    fn local_network_space_is_judged_against_the_origin() {
        let t = |url: &str, origin: &str| Target {
            url: url::Url::parse(url).unwrap(),
            origin: origin.into(),
            method: "GET".into(),
            headers: Headers::new(),
            body: None,
            credentials: crate::target::CredentialsMode::Omit,
        };
        assert_eq!(
            more_private_space_of(&t("http://127.0.0.1:9/x", "https://app.example.com")),
            Some("loopback-network")
        );
        assert_eq!(
            more_private_space_of(&t("http://10.1.2.3/x", "https://app.example.com")),
            Some("local-network")
        );
        assert_eq!(
            more_private_space_of(&t("http://127.0.0.1:9/x", "http://localhost:3000")),
            None
        );
        assert_eq!(
            more_private_space_of(&t("https://api.example.com/x", "http://localhost:3000")),
            None
        );
        // `--resolve api.example.com:443:127.0.0.1`: the name is where it is mapped.
        let mapped = [("api.example.com".to_string(), IpAddr::from([127, 0, 0, 1]))];
        assert_eq!(
            more_private_space(
                &t("https://API.example.com/x", "https://app.example.com"),
                &mapped
            ),
            Some("loopback-network")
        );
        assert_eq!(
            more_private_space(
                &t("https://other.example.com/x", "https://app.example.com"),
                &mapped
            ),
            None
        );
    }
}
