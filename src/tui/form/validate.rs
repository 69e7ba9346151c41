//! The form's checks, in plain words: why a URL, an origin, a header, the API definition
//! file or a template parameter cannot be used, said so a newcomer knows what to type instead.
//!
//! Choices the AWS documentation leaves open:
//! - An API id only has to be letters and digits: the ids AWS makes are ten lowercase ones
//!   (`a1b2c3d4e5`), but emulators (moto, LocalStack) make others, and `check` accepts them.
//! - A region only has to be lowercase letters, digits and `-`: new regions appear, so no list.
//! - The OpenAPI file is checked from its metadata only (exists, a regular file); its content
//!   is read, bounded, by the run, whose error names the line.

use std::path::{Path, PathBuf};

use super::{Field, FormState, Slot};

/// `~/x` is the home directory's `x` (no shell expands it in a form).
pub(super) fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Why the OpenAPI file cannot be used, from its metadata only (never opened here: a FIFO
/// would block). The runner reads it, bounded.
pub fn check_openapi_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "No such file. Give the export's path{}.",
            std::env::current_dir()
                .map(|d| format!(" (relative paths start in {})", d.display()))
                .unwrap_or_default()
        )),
        Err(e) => Err(format!("Cannot read this file: {e}.")),
        Ok(m) if m.is_dir() => {
            Err("This is a folder: give the exported JSON or YAML file in it.".into())
        }
        Ok(m) if !m.is_file() => Err(
            "Not a regular file (a pipe or a device): save the export to a file and give that."
                .into(),
        ),
        Ok(_) => Ok(()),
    }
}

/// Why `input` is not a URL a browser app could fetch, in plain words.
pub(super) fn explain_url(input: &str) -> Result<(), String> {
    use url::ParseError as P;
    if input.len() > crate::target::MAX_URL_BYTES {
        return Err(format!(
            "Too long for an HTTP request ({} bytes, at most {}): shorten the query string.",
            input.len(),
            crate::target::MAX_URL_BYTES
        ));
    }
    match url::Url::parse(input) {
        Err(P::RelativeUrlWithoutBase) => Err(if input.contains("://") {
            "Start with https:// (or http://).".into()
        } else {
            // The example quotes what was typed: its secrets (user info, a token
            // parameter) masked.
            format!(
                "Start with https://, e.g. {}",
                crate::redact::url(&format!("https://{}", input.trim_start_matches('/')))
            )
        }),
        Err(P::EmptyHost) => Err("There is no host name after https://.".into()),
        Err(P::InvalidPort) => Err("The port after the host must be a number up to 65535.".into()),
        Err(P::InvalidDomainCharacter) | Err(P::IdnaError) => {
            Err("The host name has a character host names cannot have (a space, a quote…).".into())
        }
        Err(P::InvalidIpv4Address) | Err(P::InvalidIpv6Address) => {
            Err("The IP address in it is not valid.".into())
        }
        Err(_) => Err("This is not a web address: give the full URL the app fetches.".into()),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Err(format!(
            "Browsers make CORS requests over https:// and http:// only, not {}:.",
            crate::redact::shorten(u.scheme(), 20)
        )),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => {
            Err("There is no host name after https://.".into())
        }
        Ok(_) => crate::target::parse_url(input)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// Why `input` is not a page's origin, in plain words.
pub(super) fn explain_origin(input: &str) -> Result<(), String> {
    match url::Url::parse(input) {
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let host = input
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default();
            // Only a plain host is quoted back (never user info).
            Err(match host.rsplit_once('@') {
                None => format!("Start with https:// (or http://), e.g. https://{host}"),
                Some(_) => "Start with https:// (or http://), e.g. https://app.example.com".into(),
            })
        }
        Err(_) => {
            Err("Not an origin: give the scheme and host, e.g. https://app.example.com.".into())
        }
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            Err("An origin starts with https:// or http://.".into())
        }
        Ok(u) if u.path() != "/" || u.query().is_some() || u.fragment().is_some() => {
            let host = u.host_str().unwrap_or_default();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            Err(format!(
                "An origin has no path: only the scheme and host, {}://{host}{port} (this looks like the page's URL).",
                u.scheme()
            ))
        }
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Err("An origin has no user name or password: only the scheme and host.".into())
        }
        Ok(_) => crate::target::parse_origin(input)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// Why a header row cannot be sent, in plain words (never quoting the value).
pub(super) fn explain_header(entry: &str, needs_secret: bool) -> Option<String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return None;
    }
    let Some((name, value)) = entry.split_once(':') else {
        return Some("Write it as Name: value, e.g. X-Api-Key: abc123.".into());
    };
    let name = name.trim();
    if name.is_empty() {
        return Some("The header needs a name before the colon.".into());
    }
    if !name.bytes().all(crate::http::is_token_byte) {
        return Some(format!(
            "'{}' is not a header name: letters, digits and - only, no spaces.",
            crate::redact::escape_controls(&crate::redact::shorten(name, 40))
        ));
    }
    if value.trim().is_empty() && (needs_secret || super::secret_header_name(entry).is_some()) {
        return Some(format!(
            "The value of {name} is secret and was not saved: type it again, or remove the header."
        ));
    }
    None
}

impl FormState {
    /// The problems with what was typed, each under its field, in plain words. `file`
    /// checks the OpenAPI file (it must not read it: the event loop runs this).
    pub fn validate(&self, file: &dyn Fn(&Path) -> Result<(), String>) -> Vec<(Slot, String)> {
        let mut errors = Vec::new();
        let mut bad = |slot: Slot, why: String| errors.push((slot, why));
        let url = self.url.trimmed();
        let path = self.path.trimmed();
        let openapi = self.openapi.trimmed();
        if let Some(u) = &url {
            if let Err(why) = explain_url(u) {
                bad(Slot::Field(Field::Url), why);
            }
        } else if path.is_none() {
            bad(
                Slot::Field(Field::Url),
                "Required: the URL the app fetches, starting with https:// (or, to diagnose from the configuration alone, a resource path below).".into(),
            );
        }
        match self.origin.trimmed() {
            None => bad(
                Slot::Field(Field::Origin),
                "Required: the origin of the page making the request, e.g. https://app.example.com.".into(),
            ),
            Some(o) => {
                if let Err(why) = explain_origin(&o) {
                    bad(Slot::Field(Field::Origin), why);
                }
            }
        }
        for (i, h) in self.headers.iter().enumerate() {
            if let Some(why) = explain_header(&h.input.text, h.needs_secret) {
                bad(Slot::Header(i), why);
            }
        }
        if let Some(id) = self.api_id.trimmed() {
            if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                bad(
                    Slot::Field(Field::ApiId),
                    "An API id has letters and digits only, e.g. a1b2c3d4e5 (aws apigateway get-rest-apis lists them).".into(),
                );
            }
        }
        if let Some(stage) = self.stage.trimmed() {
            // "Stage names can only contain alphanumeric characters, hyphens, and
            // underscores. Maximum length is 128 characters." (stageName,
            // https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html); HTTP APIs
            // also have the `$default` stage.
            let valid = stage == "$default"
                || (stage.len() <= 128
                    && stage
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')));
            if !valid {
                bad(
                    Slot::Field(Field::Stage),
                    "A stage name is one word of letters, digits, - and _ (at most 128), e.g. prod, or $default.".into(),
                );
            }
        }
        match &path {
            Some(p) if !p.starts_with('/') => bad(
                Slot::Field(Field::Path),
                format!(
                    "Start the resource path with /, e.g. /{}.",
                    p.trim_start_matches('/')
                ),
            ),
            Some(_) if url.is_none() && openapi.is_none() => {
                if self.api_id.trimmed().is_none() {
                    bad(
                        Slot::Field(Field::ApiId),
                        "Needed without a URL: the API's id (or give an API definition file below)."
                            .into(),
                    );
                }
                if self.stage.trimmed().is_none() {
                    bad(
                        Slot::Field(Field::Stage),
                        "Needed without a URL: the stage to diagnose, e.g. prod.".into(),
                    );
                }
            }
            _ => {}
        }
        if let Some(f) = &openapi {
            if let Err(why) = file(&expand_home(f)) {
                bad(Slot::Field(Field::OpenApi), why);
            }
        }
        let parameters = self.parameter_entries();
        if let Some(p) = parameters
            .iter()
            .find(|p| p.split_once('=').is_none_or(|(k, _)| k.is_empty()))
        {
            bad(
                Slot::Field(Field::Parameters),
                format!(
                    "'{p}' is not KEY=VALUE: give each parameter as Name=value, e.g. Stage=prod."
                ),
            );
        } else if !parameters.is_empty() && openapi.is_none() {
            bad(
                Slot::Field(Field::Parameters),
                "Parameters fill a template's open values: give the template as the API definition above, or clear them.".into(),
            );
        }
        if let Some(r) = self.region.trimmed() {
            if !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                bad(
                    Slot::Field(Field::Region),
                    "A region looks like us-east-1 (lowercase letters, digits and -).".into(),
                );
            }
        }
        errors.sort_by_key(|(s, _)| *s);
        errors
    }
}
