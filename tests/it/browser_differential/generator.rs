//! The generated cases: methods, header sets and bodies, and the mutations of the server's answers.

use super::*;

pub(super) const METHODS: [&str; 9] = [
    "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "patch", "HEAD", "put",
];

pub(super) type HeaderSet = &'static [(&'static str, &'static str)];
pub(super) const HEADER_SETS: [HeaderSet; 16] = [
    &[],
    &[],
    &[("Authorization", "Bearer abc.def")],
    &[("Authorization", "Bearer abc.def")],
    &[("Content-Type", "application/json")],
    &[("Content-Type", "text/plain")],
    &[("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")],
    &[("X-Api-Key", "k-123"), ("Authorization", "Bearer t")],
    &[("Accept", "application/json"), ("Accept-Language", "en-US,en;q=0.9")],
    &[("Content-Language", "de (ch)")],
    &[("Range", "bytes=0-99")],
    &[("Range", "bytes=0-99,200-300")],
    &[("Cookie", "session=1"), ("X-Requested-With", "XMLHttpRequest")],
    &[("X-Amz-Date", "20261125T000000Z"), ("x-amz-security-token", "tok")],
    &[("Content-Type", "application/json"), ("Authorization", "Bearer t")],
    &[("Accept", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/json")],
];

pub(super) const BODIES: [&str; 3] = ["{\"a\":1}", "a=1&b=2", "plain text"];

pub(super) fn generate(count: usize) -> Vec<Case> {
    let mut rng = Rng(SEED);
    (0..count).map(|id| generate_one(id, &mut rng)).collect()
}

pub(super) fn generate_one(id: usize, rng: &mut Rng) -> Case {
    let method = rng.pick(&METHODS).to_string();
    let headers: Vec<(String, String)> = rng
        .pick(&HEADER_SETS)
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let can_have_body = !matches!(method.as_str(), "GET" | "HEAD");
    // fetch() refuses a body with GET or HEAD (a TypeError): a few such cases too.
    let body = if can_have_body {
        rng.chance(60).then(|| rng.pick(&BODIES).to_string())
    } else {
        rng.chance(2).then(|| rng.pick(&BODIES).to_string())
    };
    let refused = rng.chance(3);
    let credentials = *rng.pick(&[
        CredentialsMode::Omit,
        CredentialsMode::SameOrigin,
        CredentialsMode::Include,
    ]);
    let mut case = Case {
        id,
        method,
        headers,
        body,
        credentials,
        preflight: Resp::new(200),
        actual: Resp::new(200),
        final_: Resp::new(200),
        mutations: Vec::new(),
        refused,
    };
    // The target's URL does not matter to the plan (always cross-origin here).
    let plan = cors::plan(&case.target("http://127.0.0.1:1", "http://127.0.0.1:1"));
    let include = credentials == CredentialsMode::Include;

    // Answers that let this request through…
    let pre = &mut case.preflight;
    pre.add("Access-Control-Allow-Origin", ORIGIN);
    pre.add(
        "Access-Control-Allow-Methods",
        &format!("GET, POST, OPTIONS, {}", plan.method),
    );
    if !plan.request_headers.is_empty() {
        pre.add(
            "Access-Control-Allow-Headers",
            &plan.request_headers.join(", "),
        );
    }
    if include {
        pre.add("Access-Control-Allow-Credentials", "true");
    }
    for r in [&mut case.actual, &mut case.final_] {
        r.add("Content-Type", "application/json");
        r.add("Access-Control-Allow-Origin", ORIGIN);
        if include {
            r.add("Access-Control-Allow-Credentials", "true");
        }
    }
    // …then break them a little (or not at all).
    let mutations = *rng.pick(&[0usize, 1, 1, 1, 1, 2, 2, 2]);
    for _ in 0..mutations {
        let on_preflight = plan.required && rng.chance(50);
        let name = if on_preflight {
            mutate_preflight(&mut case, &plan.method, &plan.request_headers, rng)
        } else {
            mutate_actual(&mut case, plan.required, rng)
        };
        case.mutations.push(name);
    }
    case
}

/// Allow-Origin variants, shared by the preflight and the actual response.
pub(super) fn mutate_allow_origin(r: &mut Resp, rng: &mut Rng) -> String {
    const ACAO: &str = "Access-Control-Allow-Origin";
    match rng.below(11) {
        0 => {
            r.remove(ACAO);
            "no allow-origin".into()
        }
        1 => {
            r.set(ACAO, "*");
            "allow-origin *".into()
        }
        2 => {
            r.set(ACAO, "https://other.example.com");
            "allow-origin other".into()
        }
        3 => {
            r.set(ACAO, "https://app.example.com/");
            "allow-origin trailing slash".into()
        }
        4 => {
            r.set(ACAO, ORIGIN);
            r.add(ACAO, ORIGIN);
            "allow-origin twice (same value)".into()
        }
        5 => {
            r.set(ACAO, ORIGIN);
            r.add(ACAO, "https://other.example.com");
            "allow-origin twice".into()
        }
        6 => {
            r.set(ACAO, "https://app.example.com, https://other.example.com");
            "allow-origin list".into()
        }
        7 => {
            r.set(ACAO, "null");
            "allow-origin null".into()
        }
        8 => {
            r.set(ACAO, "HTTPS://APP.EXAMPLE.COM");
            "allow-origin upper case".into()
        }
        9 => {
            r.set(ACAO, "\t https://app.example.com  ");
            "allow-origin padded".into()
        }
        _ => {
            r.set(ACAO, "app.example.com");
            "allow-origin no scheme".into()
        }
    }
}

pub(super) fn mutate_allow_credentials(r: &mut Resp, rng: &mut Rng) -> String {
    const ACAC: &str = "Access-Control-Allow-Credentials";
    match rng.below(5) {
        0 => {
            r.remove(ACAC);
            "no allow-credentials".into()
        }
        1 => {
            r.set(ACAC, "True");
            "allow-credentials True".into()
        }
        2 => {
            r.set(ACAC, "false");
            "allow-credentials false".into()
        }
        3 => {
            r.set(ACAC, "true");
            r.add(ACAC, "true");
            "allow-credentials twice".into()
        }
        _ => {
            r.set(ACAC, " true ");
            "allow-credentials padded".into()
        }
    }
}

pub(super) fn mutate_preflight(
    case: &mut Case,
    method: &str,
    unsafe_headers: &[String],
    rng: &mut Rng,
) -> String {
    const ACAM: &str = "Access-Control-Allow-Methods";
    const ACAH: &str = "Access-Control-Allow-Headers";
    let r = &mut case.preflight;
    let name = match rng.below(20) {
        0..=4 => mutate_allow_origin(r, rng),
        5..=6 => mutate_allow_credentials(r, rng),
        7 => {
            let status = *rng.pick(&[204u16, 403, 404, 500, 401]);
            r.status = status;
            format!("preflight {status}")
        }
        8 => {
            r.status = 403;
            r.headers
                .retain(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"));
            r.add("x-amzn-ErrorType", "MissingAuthenticationTokenException");
            "preflight 403 without CORS headers".into()
        }
        9 => {
            let status = *rng.pick(&[301u16, 302, 307]);
            r.status = status;
            r.set("Location", &format!("/c/{}/final", case.id));
            format!("preflight redirect {status}")
        }
        10 => {
            r.remove(ACAM);
            "no allow-methods".into()
        }
        11 => {
            r.set(ACAM, &method.to_ascii_lowercase());
            "allow-methods lower case".into()
        }
        12 => {
            r.set(ACAM, &method.to_ascii_uppercase());
            "allow-methods upper case".into()
        }
        13 => {
            r.set(ACAM, "*");
            "allow-methods *".into()
        }
        14 => {
            let bad: &&str = rng.pick(&["GET POST", "GET;PUT", "GET, (PUT)"]);
            r.set(ACAM, bad);
            "allow-methods unparsable".into()
        }
        15 => {
            r.set(ACAM, "GET");
            r.add(ACAM, &format!(" {method} ,"));
            "allow-methods split over two fields".into()
        }
        16 => {
            r.set(ACAH, "*");
            "allow-headers *".into()
        }
        17 => {
            r.remove(ACAH);
            "no allow-headers".into()
        }
        18 => {
            let upper: Vec<String> = unsafe_headers
                .iter()
                .map(|h| h.to_ascii_uppercase())
                .collect();
            r.set(ACAH, &format!(" {} ", upper.join(" ,\t")));
            "allow-headers upper case, padded".into()
        }
        _ => match rng.below(3) {
            0 => {
                r.set(ACAH, "authorization content-type");
                "allow-headers unparsable".into()
            }
            1 => {
                let first = unsafe_headers.first().cloned().unwrap_or_default();
                r.set(ACAH, &first);
                "allow-headers only the first".into()
            }
            _ => {
                r.set(ACAH, "x-other");
                for h in unsafe_headers {
                    r.add(ACAH, h);
                }
                "allow-headers split over fields".into()
            }
        },
    };
    name
}

pub(super) fn mutate_actual(case: &mut Case, preflighted: bool, rng: &mut Rng) -> String {
    let id = case.id;
    let simple_get = !preflighted && case.method == "GET";
    let r = &mut case.actual;
    match rng.below(14) {
        0..=4 => mutate_allow_origin(r, rng),
        5..=6 => mutate_allow_credentials(r, rng),
        7 => {
            let status = *rng.pick(&[401u16, 403, 429, 502, 504]);
            r.status = status;
            r.headers
                .retain(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"));
            r.add("x-amzn-ErrorType", "SomeGatewayException");
            format!("actual {status} without CORS headers")
        }
        8 => {
            let status = *rng.pick(&[204u16, 500, 502]);
            r.status = status;
            format!("actual {status} with CORS headers")
        }
        9 | 10 => {
            let status = *rng.pick(&[307u16, 308]);
            r.status = status;
            r.set("Location", &format!("/c/{id}/final"));
            let mut name = format!("actual redirect {status} same origin");
            if rng.chance(50) {
                name.push_str(" + final: ");
                name.push_str(&mutate_allow_origin(&mut case.final_, rng));
            }
            name
        }
        11 => {
            r.status = 302;
            r.set(
                "Location",
                &format!("http://user:pw@127.0.0.1:{{PORT}}/c/{id}/final"),
            );
            "actual redirect with credentials".into()
        }
        12 if simple_get => {
            r.status = 302;
            r.set(
                "Location",
                &format!("http://localhost:{{PORT}}/c/{id}/final"),
            );
            let v = *rng.pick(&["null", "*", ORIGIN]);
            case.final_.set("Access-Control-Allow-Origin", v);
            format!("actual redirect to another origin, final allow-origin {v}")
        }
        _ => {
            r.status = 302;
            r.remove("Access-Control-Allow-Origin");
            r.set("Location", &format!("/c/{id}/final"));
            "actual redirect without allow-origin".into()
        }
    }
}
