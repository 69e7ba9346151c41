//! CloudFormation intrinsic functions, evaluated as far as the template alone allows.
//!
//! Evaluated: `Ref` to a parameter (its `--parameter` value, else its `Default`) or a pseudo
//! parameter given with `--parameter AWS::Region=…`; `Fn::Sub`, `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`, `Fn::If` (with `Conditions` built from `Fn::Equals`, `Fn::And`,
//! `Fn::Or`, `Fn::Not`, `Condition`) when every input is known; `Ref: AWS::NoValue` removes
//! the property. Everything else (`Ref` to a resource, `Fn::GetAtt`, `Fn::ImportValue`, a
//! parameter without a default) stays as written: the model carries it as an unresolved value
//! and names it, never guesses it.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::lines::LineMap;
use super::TemplateError;
use crate::gateway::model::intrinsic_name;

/// The intrinsic functions and condition functions CloudFormation knows (plus those of the
/// `AWS::LanguageExtensions` transform).
const KNOWN: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::FindInMap",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::GetAZs",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Transform",
    "Fn::Length",
    "Fn::ToJsonString",
    // Rule-specific functions (`Rules` section).
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// Refuses a template that calls an intrinsic function CloudFormation does not have
/// (`!Reff`, `Fn::Concat`): CloudFormation would refuse it too. Iterative.
pub(super) fn check_known(doc: &Value, lines: &LineMap) -> Result<(), TemplateError> {
    // Depth-first: `path` holds the segments of the value's parent (the path text is made
    // only for an error: most templates have tens of thousands of values and none).
    let mut stack: Vec<(&Value, usize, Option<Segment<'_>>)> = vec![(doc, 0, None)];
    let mut path: Vec<Segment<'_>> = Vec::new();
    while let Some((v, depth, segment)) = stack.pop() {
        path.truncate(depth);
        path.extend(segment);
        match v {
            Value::Object(m) => {
                for (k, item) in m {
                    if k.starts_with("Fn::")
                        && !KNOWN.contains(&k.as_str())
                        && !k.starts_with("Fn::ForEach::")
                    {
                        let p = join(&dotted(&path), k);
                        return Err(TemplateError::at(
                            lines,
                            &p,
                            format!(
                                "{p}: unknown intrinsic function {k} (CloudFormation has Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::If, Fn::ImportValue, Fn::FindInMap …); check the spelling of the tag or key"
                            ),
                        ));
                    }
                    stack.push((item, path.len(), Some(Segment::Key(k))));
                }
            }
            Value::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    stack.push((item, path.len(), Some(Segment::Index(i))));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// One step of a path into a JSON value.
#[derive(Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// The dotted path of `segments` (`Resources.Api.Properties.Tags[0]`).
fn dotted(segments: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => out = join(&out, k),
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

pub(super) fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// A parameter the template references but that has no value (no `Default`, no
/// `--parameter`): where, and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Missing {
    pub at: String,
    pub name: String,
}

pub(super) struct Resolver<'a> {
    params: BTreeMap<String, Value>,
    declared: Vec<String>,
    mappings: Option<&'a Map<String, Value>>,
    conditions: BTreeMap<String, Option<bool>>,
    missing: RefCell<Vec<Missing>>,
}

impl<'a> Resolver<'a> {
    /// Reads `Parameters` (with the user's values), `Mappings` and evaluates `Conditions`
    /// (a condition that names itself through others is an error with its line).
    pub fn new(
        doc: &'a Value,
        given: &BTreeMap<String, String>,
        lines: &LineMap,
    ) -> Result<Resolver<'a>, TemplateError> {
        let mut params = BTreeMap::new();
        let mut declared = Vec::new();
        if let Some(ps) = doc.get("Parameters").and_then(Value::as_object) {
            for (name, spec) in ps {
                declared.push(name.clone());
                let ty = spec.get("Type").and_then(Value::as_str).unwrap_or("String");
                let raw = given
                    .get(name)
                    .map(|s| Value::String(s.clone()))
                    .or_else(|| {
                        spec.get("Default").map(|d| match d {
                            Value::String(_) => d.clone(),
                            Value::Number(n) => Value::String(n.to_string()),
                            Value::Bool(b) => Value::String(b.to_string()),
                            other => other.clone(),
                        })
                    });
                if let Some(v) = raw {
                    let is_list = ty == "CommaDelimitedList" || ty.starts_with("List<");
                    let v = match (&v, is_list) {
                        (Value::String(s), true) => Value::Array(
                            s.split(',')
                                .map(|p| Value::String(p.trim().to_string()))
                                .collect(),
                        ),
                        _ => v,
                    };
                    params.insert(name.clone(), v);
                }
            }
        }
        // Pseudo parameters only from the command line (`--parameter AWS::Region=eu-west-1`).
        for (k, v) in given {
            if k.starts_with("AWS::") {
                params.insert(k.clone(), Value::String(v.clone()));
            }
        }
        let mut r = Resolver {
            params,
            declared,
            mappings: doc.get("Mappings").and_then(Value::as_object),
            conditions: BTreeMap::new(),
            missing: RefCell::new(Vec::new()),
        };
        if let Some(cs) = doc.get("Conditions").and_then(Value::as_object) {
            for name in cs.keys() {
                let mut visiting = Vec::new();
                r.condition(cs, name, &mut visiting, lines)?;
            }
        }
        Ok(r)
    }

    /// Names the user gave that the template does not declare (a typo in `--parameter`).
    pub fn undeclared<'g>(&self, given: &'g BTreeMap<String, String>) -> Vec<&'g str> {
        given
            .keys()
            .filter(|k| !k.starts_with("AWS::") && !self.declared.contains(k))
            .map(String::as_str)
            .collect()
    }

    fn condition(
        &mut self,
        all: &Map<String, Value>,
        name: &str,
        visiting: &mut Vec<String>,
        lines: &LineMap,
    ) -> Result<Option<bool>, TemplateError> {
        if let Some(v) = self.conditions.get(name) {
            return Ok(*v);
        }
        if visiting.iter().any(|n| n == name) {
            visiting.push(name.to_string());
            let at = format!("Conditions.{}", visiting[0]);
            return Err(TemplateError::at(
                lines,
                &at,
                format!(
                    "{at}: the conditions refer to each other in a cycle ({}); CloudFormation refuses such a template",
                    visiting.join(" → ")
                ),
            ));
        }
        let Some(expr) = all.get(name) else {
            return Ok(None);
        };
        visiting.push(name.to_string());
        let v = self.eval_condition(all, expr, visiting, lines)?;
        visiting.pop();
        self.conditions.insert(name.to_string(), v);
        Ok(v)
    }

    fn eval_condition(
        &mut self,
        all: &Map<String, Value>,
        expr: &Value,
        visiting: &mut Vec<String>,
        lines: &LineMap,
    ) -> Result<Option<bool>, TemplateError> {
        if visiting.len() > 64 {
            return Ok(None);
        }
        let Some(f) = intrinsic_name(expr) else {
            return Ok(expr.as_bool());
        };
        let arg = &expr[f];
        Ok(match f {
            "Condition" => match arg.as_str() {
                Some(n) => self.condition(all, n, visiting, lines)?,
                None => None,
            },
            "Fn::Equals" => match arg.as_array().map(Vec::as_slice) {
                Some([a, b]) => {
                    let (a, b) = (self.resolve(a, ""), self.resolve(b, ""));
                    match (scalar_text(&a), scalar_text(&b)) {
                        (Some(a), Some(b)) => Some(a == b),
                        _ => None,
                    }
                }
                _ => None,
            },
            "Fn::Not" => match arg.as_array().map(Vec::as_slice) {
                Some([c]) => self.eval_condition(all, c, visiting, lines)?.map(|b| !b),
                _ => None,
            },
            "Fn::And" | "Fn::Or" => {
                let mut out = Some(f == "Fn::And");
                for c in arg.as_array().into_iter().flatten() {
                    match (self.eval_condition(all, c, visiting, lines)?, f) {
                        (Some(false), "Fn::And") => return Ok(Some(false)),
                        (Some(true), "Fn::Or") => return Ok(Some(true)),
                        (None, _) => out = None,
                        _ => {}
                    }
                }
                out
            }
            _ => None,
        })
    }

    /// The value of a named condition, when the template alone decides it.
    pub fn condition_value(&self, name: &str) -> Option<bool> {
        self.conditions.get(name).copied().flatten()
    }

    /// Parameters referenced without a value, in the order met.
    pub fn take_missing(&self) -> Vec<Missing> {
        std::mem::take(&mut *self.missing.borrow_mut())
    }

    /// `v` with every intrinsic the template decides replaced by its value (`at`: where `v`
    /// is written, for the parameters it names without a value).
    pub fn resolve(&self, v: &Value, at: &str) -> Value {
        let mut path = at.to_string();
        self.resolve_opt(v, &mut path).unwrap_or(Value::Null)
    }

    /// `None` for `Ref: AWS::NoValue` (the property is removed). `at` is a buffer that each
    /// nested value's path is written into and taken back from (a template has tens of
    /// thousands of values and few need their path).
    fn resolve_opt(&self, v: &Value, at: &mut String) -> Option<Value> {
        match v {
            Value::Object(m) => {
                if let Some(f) = intrinsic_name(v) {
                    return self.intrinsic(f, &m[f], at);
                }
                let mut out = Map::with_capacity(m.len());
                for (k, item) in m {
                    let len = at.len();
                    if len > 0 {
                        at.push('.');
                    }
                    at.push_str(k);
                    let r = self.resolve_opt(item, at);
                    at.truncate(len);
                    if let Some(r) = r {
                        out.insert(k.clone(), r);
                    }
                }
                Some(Value::Object(out))
            }
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, item) in a.iter().enumerate() {
                    let len = at.len();
                    // Writing to a String cannot fail.
                    let _ = write!(at, "[{i}]");
                    let r = self.resolve_opt(item, at);
                    at.truncate(len);
                    out.extend(r);
                }
                Some(Value::Array(out))
            }
            _ => Some(v.clone()),
        }
    }

    fn keep(f: &str, arg: Value) -> Value {
        let mut m = Map::new();
        m.insert(f.to_string(), arg);
        Value::Object(m)
    }

    fn note_missing(&self, at: &str, name: &str) {
        if self.declared.iter().any(|d| d == name) || name.starts_with("AWS::") {
            let mut missing = self.missing.borrow_mut();
            if !missing.iter().any(|m| m.name == name && m.at == at) {
                missing.push(Missing {
                    at: at.to_string(),
                    name: name.to_string(),
                });
            }
        }
    }

    fn intrinsic(&self, f: &str, arg: &Value, at: &str) -> Option<Value> {
        let fa = join(at, f);
        match f {
            "Ref" => {
                let name = arg.as_str().unwrap_or_default();
                if name == "AWS::NoValue" {
                    return None;
                }
                if let Some(v) = self.params.get(name) {
                    return Some(v.clone());
                }
                self.note_missing(at, name);
                Some(Self::keep(f, arg.clone()))
            }
            "Fn::Sub" => {
                let (text, vars) = match arg {
                    Value::String(s) => (s.clone(), Map::new()),
                    Value::Array(a) if a.len() == 2 => {
                        let vars = match self.resolve(&a[1], &fa) {
                            Value::Object(m) => m,
                            _ => Map::new(),
                        };
                        (a[0].as_str().unwrap_or_default().to_string(), vars)
                    }
                    _ => return Some(Self::keep(f, self.resolve(arg, &fa))),
                };
                match self.substitute(&text, &vars, at) {
                    Some(s) => Some(Value::String(s)),
                    None => Some(Self::keep(f, self.resolve(arg, &fa))),
                }
            }
            "Fn::Join" => {
                let resolved = self.resolve(arg, &fa);
                if let Some([Value::String(d), Value::Array(parts)]) =
                    resolved.as_array().map(Vec::as_slice)
                {
                    let texts: Option<Vec<String>> = parts.iter().map(scalar_text).collect();
                    if let Some(t) = texts {
                        return Some(Value::String(t.join(d)));
                    }
                }
                Some(Self::keep(f, resolved))
            }
            "Fn::Select" => {
                let resolved = self.resolve(arg, &fa);
                if let Some([i, Value::Array(items)]) = resolved.as_array().map(Vec::as_slice) {
                    let idx = scalar_text(i).and_then(|s| s.parse::<usize>().ok());
                    if let Some(item) = idx.and_then(|i| items.get(i)) {
                        return Some(item.clone());
                    }
                }
                Some(Self::keep(f, resolved))
            }
            "Fn::Split" => {
                let resolved = self.resolve(arg, &fa);
                if let Some([Value::String(d), Value::String(s)]) =
                    resolved.as_array().map(Vec::as_slice)
                {
                    if !d.is_empty() {
                        return Some(Value::Array(
                            s.split(d.as_str())
                                .map(|p| Value::String(p.to_string()))
                                .collect(),
                        ));
                    }
                }
                Some(Self::keep(f, resolved))
            }
            "Fn::FindInMap" => {
                let resolved = self.resolve(arg, &fa);
                if let Some([m, k1, k2]) = resolved.as_array().map(Vec::as_slice) {
                    if let (Some(m), Some(k1), Some(k2)) =
                        (scalar_text(m), scalar_text(k1), scalar_text(k2))
                    {
                        if let Some(v) = self
                            .mappings
                            .and_then(|ms| ms.get(&m))
                            .and_then(|t| t.get(&k1))
                            .and_then(|t| t.get(&k2))
                        {
                            return Some(v.clone());
                        }
                    }
                }
                Some(Self::keep(f, resolved))
            }
            "Fn::If" => {
                if let Some([c, a, b]) = arg.as_array().map(Vec::as_slice) {
                    match c.as_str().and_then(|c| self.condition_value(c)) {
                        Some(true) => return self.resolve_opt(a, &mut at.to_string()),
                        Some(false) => return self.resolve_opt(b, &mut at.to_string()),
                        None => {}
                    }
                }
                Some(Self::keep(f, self.resolve(arg, &fa)))
            }
            _ => Some(Self::keep(f, self.resolve(arg, &fa))),
        }
    }

    /// `Fn::Sub`'s text with every `${Name}` known, else `None`.
    fn substitute(&self, text: &str, vars: &Map<String, Value>, at: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut complete = true;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else if let Some(v) = vars.get(name).and_then(scalar_text) {
                out.push_str(&v);
            } else if let Some(v) = self.params.get(name).and_then(scalar_text) {
                out.push_str(&v);
            } else {
                if !vars.contains_key(name) {
                    self.note_missing(at, name);
                }
                complete = false;
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        complete.then_some(out)
    }
}

/// A scalar as CloudFormation turns it into text (numbers and booleans as written).
pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `X` of `{"Ref": "X"}`.
pub(super) fn ref_name(v: &Value) -> Option<&str> {
    v.as_object().filter(|m| m.len() == 1)?.get("Ref")?.as_str()
}

/// `(X, Attr)` of `{"Fn::GetAtt": ["X", "Attr"]}` or `{"Fn::GetAtt": "X.Attr"}`.
pub(super) fn get_att(v: &Value) -> Option<(&str, &str)> {
    let arg = v.as_object().filter(|m| m.len() == 1)?.get("Fn::GetAtt")?;
    match arg {
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, a[1].as_str()?)),
        Value::String(s) => s.split_once('.'),
        _ => None,
    }
}

/// Every logical id `v` names with `Ref`, `Fn::GetAtt` or `${Name}` in `Fn::Sub`, in order.
pub(super) fn referenced(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(n) = ref_name(v) {
                    out.push(n.to_string());
                } else if let Some((n, _)) = get_att(v) {
                    out.push(n.to_string());
                } else if let Some(s) = m.get("Fn::Sub").and_then(|a| match a {
                    Value::String(s) => Some(s.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                }) {
                    let mut rest = s;
                    while let Some(i) = rest.find("${") {
                        let after = &rest[i + 2..];
                        let Some(end) = after.find('}') else { break };
                        let name = after[..end].split('.').next().unwrap_or_default();
                        out.push(name.to_string());
                        rest = &after[end + 1..];
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}
