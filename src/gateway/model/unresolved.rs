//! Values a definition names but does not hold: CloudFormation intrinsic functions (`Ref`,
//! `Fn::Sub`, `!GetAtt` …), template placeholders (`${lambda_arn}` in a Terraform `.tpl`) and
//! references to things the document never defines (a security scheme).
//!
//! A deployment resolves them; a file read offline cannot. Readers keep them as [`Unresolved`]
//! values instead of refusing the file: a value nothing in the diagnosis reads (an integration
//! URI, an authorizer's Lambda ARN) is simply carried along, and one the diagnosis needs (a
//! CORS header mapping, a status code, an authorizer's identity source) makes the step that
//! reads it `unknown`, with the reason. The OpenAPI import uses this type; a template reader
//! (CloudFormation / SAM / Terraform) records its unresolved values the same way.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a value could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum UnresolvedKind {
    /// A CloudFormation intrinsic function (`Fn::Sub`, `Ref`, `Fn::GetAtt`, `Fn::If` …).
    Intrinsic(String),
    /// A template placeholder (`${var}`) a template engine fills in before deployment.
    Placeholder,
    /// A reference to something the document does not define (the name is in `written`).
    Undefined(String),
    /// A Terraform plan's value that is known only after `terraform apply`.
    AfterApply,
    /// A setting whose effect cors-doctor does not derive from the file (what would, in
    /// words), e.g. the resource policy SAM generates from `Auth.ResourcePolicy`.
    NotModelled(String),
}

/// Which part of the diagnosis reads the value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// The step (1–7) that reads it.
    pub step: u8,
    /// What it is, in words (`the Access-Control-Allow-Origin mapping`).
    pub what: String,
    /// The route it belongs to (`/items`, `GET` or `ANY`); `None` for API-wide settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<(String, String)>,
    /// The authorizer it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer: Option<String>,
}

/// A value the definition writes but does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    /// Where it is written: the dotted JSON path in the document.
    pub at: String,
    pub kind: UnresolvedKind,
    /// The value as written, compact and cut to a readable length.
    pub written: String,
    /// Set when the diagnosis reads the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<Need>,
}

/// Longest excerpt of a written value kept in [`Unresolved::written`].
const WRITTEN_CHARS: usize = 120;

impl Unresolved {
    /// The value when it is a CloudFormation intrinsic function object, else `None`.
    pub fn intrinsic(at: &str, v: &Value) -> Option<Unresolved> {
        let name = intrinsic_name(v)?;
        Some(Unresolved {
            at: at.to_string(),
            kind: UnresolvedKind::Intrinsic(name.to_string()),
            written: excerpt(&v.to_string()),
            needed: None,
        })
    }

    /// The string when it holds a template placeholder (`${name}`), else `None`.
    /// API Gateway's own `${stageVariables.x}` is not a placeholder.
    pub fn placeholder(at: &str, s: &str) -> Option<Unresolved> {
        has_placeholder(s).then(|| Unresolved {
            at: at.to_string(),
            kind: UnresolvedKind::Placeholder,
            written: excerpt(s),
            needed: None,
        })
    }

    pub fn undefined(at: &str, what: &str, name: &str) -> Unresolved {
        Unresolved {
            at: at.to_string(),
            kind: UnresolvedKind::Undefined(what.to_string()),
            written: excerpt(name),
            needed: None,
        }
    }

    /// A setting whose effect is not derived from the file; `instead`: what shows it.
    pub fn not_modelled(at: &str, instead: &str) -> Unresolved {
        Unresolved {
            at: at.to_string(),
            kind: UnresolvedKind::NotModelled(instead.to_string()),
            written: String::new(),
            needed: None,
        }
    }

    pub fn needed_by(mut self, need: Need) -> Self {
        self.needed = Some(need);
        self
    }

    /// Why the value is unknown, in words (`it is a CloudFormation Fn::Sub value, resolved only
    /// when the stack is deployed`).
    pub fn reason(&self) -> String {
        match &self.kind {
            UnresolvedKind::Intrinsic(f) => format!(
                "{} is the CloudFormation {f} value {}, which only a deployment of the stack resolves",
                self.at, self.written
            ),
            UnresolvedKind::Placeholder => format!(
                "{} holds the template placeholder {}, which is filled in before deployment",
                self.at, self.written
            ),
            UnresolvedKind::AfterApply => format!(
                "{} is known only after terraform apply (the plan shows it as (known after apply))",
                self.at
            ),
            UnresolvedKind::NotModelled(instead) => {
                format!("{} is not evaluated from the file: {instead}", self.at)
            }
            UnresolvedKind::Undefined(what) => format!(
                "{} names the {what} '{}', which the file does not define",
                self.at, self.written
            ),
        }
    }
}

/// `Ref`, `Condition` or `Fn::…` when `v` is an object with that one key.
pub fn intrinsic_name(v: &Value) -> Option<&str> {
    let obj = v.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let key = obj.keys().next()?;
    (key == "Ref" || key == "Condition" || key.starts_with("Fn::")).then_some(key.as_str())
}

/// True when `s` contains `${…}` that is not an API Gateway stage variable or context
/// variable (`${stageVariables.x}`, `${context.x}`).
pub fn has_placeholder(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        let name = &after[..end];
        if !name.is_empty()
            && !name.starts_with("stageVariables.")
            && !name.starts_with("context.")
            && !name.starts_with("request.")
        {
            return true;
        }
        rest = &after[end..];
    }
    false
}

fn excerpt(s: &str) -> String {
    if s.chars().count() <= WRITTEN_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(WRITTEN_CHARS).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_intrinsics_and_placeholders() {
        let sub = serde_json::json!({"Fn::Sub": "arn:${AWS::Region}"});
        assert_eq!(intrinsic_name(&sub), Some("Fn::Sub"));
        assert_eq!(
            intrinsic_name(&serde_json::json!({"Ref": "X"})),
            Some("Ref")
        );
        assert_eq!(
            intrinsic_name(&serde_json::json!({"Ref": "X", "y": 1})),
            None
        );
        assert_eq!(intrinsic_name(&serde_json::json!({"type": "mock"})), None);
        assert!(has_placeholder("'${allowed_origin}'"));
        assert!(!has_placeholder("http://${stageVariables.host}/x"));
        assert!(!has_placeholder("plain"));
        assert!(!has_placeholder("${"));
        let u = Unresolved::intrinsic("a.b", &sub).unwrap();
        assert!(u.reason().contains("Fn::Sub"), "{}", u.reason());
    }
}
