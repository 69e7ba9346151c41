//! YAML scalars and tags → JSON values: the YAML 1.2 core schema for plain scalars, core
//! tags (`!!str`, `!!int` …), and CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt` …) in the
//! long form CloudFormation itself reads.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::yaml_err;
use crate::gateway::openapi::ImportError;

/// The CloudFormation function a short tag stands for (`!Sub` → `Fn::Sub`), if it is one.
fn cfn_function(tag: &Tag) -> Option<String> {
    if tag.handle != "!" {
        return None;
    }
    match tag.suffix.as_str() {
        "" => None,
        "Ref" => Some("Ref".into()),
        "Condition" => Some("Condition".into()),
        other => Some(format!("Fn::{other}")),
    }
}

pub(super) fn apply_tag(v: Value, tag: Option<&Tag>) -> Value {
    let Some(f) = tag.and_then(cfn_function) else {
        return v;
    };
    let v = match (f.as_str(), v) {
        // `!GetAtt Resource.Attribute` is the list form split at the first dot.
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((r, a)) => Value::Array(vec![Value::String(r.into()), Value::String(a.into())]),
            None => Value::String(s),
        },
        (_, v) => v,
    };
    let mut o = Map::new();
    o.insert(f, v);
    Value::Object(o)
}

fn is_core_tag(tag: &Tag, name: &str) -> bool {
    (tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:") && tag.suffix == name
}

pub(super) fn scalar(
    s: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
    mark: &Marker,
) -> Result<Value, ImportError> {
    if let Some(t) = tag {
        if cfn_function(t).is_some() {
            return Ok(apply_tag(Value::String(s), Some(t)));
        }
        if is_core_tag(t, "str") || is_core_tag(t, "binary") {
            return Ok(Value::String(s));
        }
        if is_core_tag(t, "int") || is_core_tag(t, "float") {
            return plain(&s)
                .filter(Value::is_number)
                .ok_or_else(|| yaml_err(mark, format!("'{s}' is not a number")));
        }
        if is_core_tag(t, "bool") {
            return plain(&s)
                .filter(Value::is_boolean)
                .ok_or_else(|| yaml_err(mark, format!("'{s}' is not a boolean")));
        }
        if is_core_tag(t, "null") {
            return Ok(Value::Null);
        }
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::String(s));
    }
    Ok(plain(&s).unwrap_or(Value::String(s)))
}

/// YAML 1.2 core schema resolution of a plain scalar; `None` for a string.
fn plain(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | ".nan" | ".NaN" | ".NAN" => {
            // JSON has no infinities: keep the text.
            return None;
        }
        _ => {}
    }
    let first = s.as_bytes().first().copied()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Value::from);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Keep leading zeros (`007`) and huge numbers as written text.
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        return s
            .trim_start_matches('+')
            .parse::<i64>()
            .ok()
            .map(Value::from);
    }
    let looks_float = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float {
        return s
            .trim_start_matches('+')
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    None
}
