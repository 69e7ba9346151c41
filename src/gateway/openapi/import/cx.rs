//! What the import carries from value to value ([`Cx`]: the document for `$ref`s, the values
//! it could not resolve, where it is) and the typed readers of JSON values, whose errors name
//! the JSON path.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::split::NEEDS_PATHS;
use crate::gateway::model::{Need, SortedMap, Unresolved};
use crate::gateway::openapi::ImportError;

/// Longest chain of `$ref`s followed for one value.
pub const MAX_REF_HOPS: usize = 32;

pub(super) fn err<T>(path: &str, message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError {
        path: if path.is_empty() {
            "$".into()
        } else {
            path.into()
        },
        message: message.into(),
        line: None,
    })
}

/// What the import carries from value to value: the document (for `$ref`s), the values it
/// could not resolve, and where it is (the route or authorizer being read).
pub(super) struct Cx<'a> {
    pub(super) root: &'a Value,
    pub(super) unresolved: RefCell<Vec<Unresolved>>,
    pub(super) route: RefCell<Option<(String, String)>>,
    pub(super) authorizer: RefCell<Option<String>>,
    /// `root` holds no `paths` (they are read one at a time): a `$ref` into them gives
    /// [`NEEDS_PATHS`].
    pub(super) paths_detached: bool,
}

impl<'a> Cx<'a> {
    pub(super) fn new(root: &'a Value) -> Self {
        Cx {
            root,
            unresolved: RefCell::new(Vec::new()),
            route: RefCell::new(None),
            authorizer: RefCell::new(None),
            paths_detached: false,
        }
    }

    /// Records an unresolved value; `need` (step, what) when the diagnosis reads it.
    pub(super) fn note(&self, u: Unresolved, need: Option<(u8, String)>) {
        let u = match need {
            Some((step, what)) => u.needed_by(Need {
                step,
                what,
                route: self.route.borrow().clone(),
                authorizer: self.authorizer.borrow().clone(),
            }),
            None => u,
        };
        self.unresolved.borrow_mut().push(u);
    }

    /// Follows `$ref`s from `v` (written at `path`) to the value they name, with the dotted
    /// path of that value.
    pub(super) fn follow(
        &self,
        v: &'a Value,
        path: &str,
    ) -> Result<(&'a Value, String), ImportError> {
        let mut cur = v;
        let mut cur_path = path.to_string();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let Some(r) = cur.as_object().and_then(|o| o.get("$ref")) else {
                return Ok((cur, cur_path));
            };
            let rp = join(&cur_path, "$ref");
            let Some(r) = r.as_str() else {
                return err(&rp, format!("expected a string, found {}", kind_of(r)));
            };
            let Some(pointer) = r.strip_prefix('#') else {
                return err(&rp, format!("'{r}' points into another file; only references inside this file (#/…) can be read"));
            };
            if seen.iter().any(|s| s == r) {
                seen.push(r.to_string());
                return err(
                    &rp,
                    format!("the references form a cycle: {}", seen.join(" → ")),
                );
            }
            seen.push(r.to_string());
            if seen.len() > MAX_REF_HOPS {
                return err(
                    &rp,
                    format!("more than {MAX_REF_HOPS} references in a chain"),
                );
            }
            if self.paths_detached
                && (pointer.is_empty() || pointer == "/paths" || pointer.starts_with("/paths/"))
            {
                return err("$", NEEDS_PATHS);
            }
            cur = match self.root.pointer(pointer) {
                Some(target) => target,
                None => return err(&rp, format!("'{r}' points to nothing in this file")),
            };
            cur_path = pointer
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect::<Vec<_>>()
                .join(".");
        }
    }

    /// `follow`, then the object there.
    pub(super) fn object(
        &self,
        v: &'a Value,
        path: &str,
    ) -> Result<(&'a Map<String, Value>, String), ImportError> {
        let (v, p) = self.follow(v, path)?;
        Ok((as_obj(v, &p)?, p))
    }

    /// A string field: a string, or (kept raw in `extra` under `key`) a CloudFormation value.
    /// `need` says what the diagnosis reads it for; a needed string holding a template
    /// placeholder is recorded too (its text is kept).
    pub(super) fn text(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need: Option<(u8, String)>,
    ) -> Result<Option<String>, ImportError> {
        match v {
            Value::String(s) => {
                if let (Some(need), Some(u)) = (&need, Unresolved::placeholder(path, s)) {
                    self.note(u, Some(need.clone()));
                }
                Ok(Some(s.clone()))
            }
            _ => match Unresolved::intrinsic(path, v) {
                Some(u) => {
                    self.note(u, need);
                    extra.insert(key.to_string(), v.clone());
                    Ok(None)
                }
                None => err(path, format!("expected a string, found {}", kind_of(v))),
            },
        }
    }

    /// A string list whose items (or the whole list) may be CloudFormation values; those are
    /// left out of the list, and the raw list is kept in `extra` under `key`.
    pub(super) fn text_list(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need: Option<(u8, String)>,
    ) -> Result<Vec<String>, ImportError> {
        if let Some(u) = Unresolved::intrinsic(path, v) {
            self.note(u, need);
            extra.insert(key.to_string(), v.clone());
            return Ok(Vec::new());
        }
        let Value::Array(items) = v else {
            return err(path, format!("expected an array, found {}", kind_of(v)));
        };
        let mut out = Vec::new();
        let mut raw_kept = false;
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            match item {
                Value::String(s) => {
                    if let (Some(need), Some(u)) = (&need, Unresolved::placeholder(&ip, s)) {
                        self.note(u, Some(need.clone()));
                    }
                    out.push(s.clone());
                }
                _ => match Unresolved::intrinsic(&ip, item) {
                    Some(u) => {
                        self.note(u, need.clone());
                        if !raw_kept {
                            extra.insert(key.to_string(), v.clone());
                            raw_kept = true;
                        }
                    }
                    None => return err(&ip, format!("expected a string, found {}", kind_of(item))),
                },
            }
        }
        Ok(out)
    }

    /// A map of strings (`responseParameters` …); CloudFormation values are left out of the
    /// map, and the raw map is kept in `extra` under `key`. `need_of(k)` says whether the
    /// diagnosis reads the value of key `k`.
    pub(super) fn text_map(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need_of: &dyn Fn(&str) -> Option<(u8, String)>,
    ) -> Result<SortedMap<String, String>, ImportError> {
        let mut out = BTreeMap::new();
        let mut raw_kept = false;
        for (k, item) in as_obj(v, path)? {
            let kp = join(path, k);
            match item {
                // A null template (the console writes them); the caller keeps it.
                Value::Null => {}
                Value::String(s) => {
                    if let (Some(need), Some(u)) = (need_of(k), Unresolved::placeholder(&kp, s)) {
                        self.note(u, Some(need));
                    }
                    out.insert(k.clone(), s.clone());
                }
                _ => match Unresolved::intrinsic(&kp, item) {
                    Some(u) => {
                        self.note(u, need_of(k));
                        if !raw_kept {
                            extra.insert(key.to_string(), v.clone());
                            raw_kept = true;
                        }
                    }
                    None => return err(&kp, format!("expected a string, found {}", kind_of(item))),
                },
            }
        }
        Ok(out.into_iter().collect())
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
    v.as_object().map_or_else(
        || err(path, format!("expected an object, found {}", kind_of(v))),
        Ok,
    )
}

pub(super) fn as_string(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

/// A string, or a number written where AWS writes a string (`statusCode`).
pub(super) fn as_code(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

pub(super) fn string_list(v: &Value, path: &str) -> Result<Vec<String>, ImportError> {
    let Value::Array(items) = v else {
        return err(path, format!("expected an array, found {}", kind_of(v)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| as_string(item, &format!("{path}[{i}]")))
        .collect()
}

/// Content type → template, where a template may be null (the console writes that).
pub(super) fn template_map(
    v: &Value,
    path: &str,
) -> Result<SortedMap<String, Option<String>>, ImportError> {
    as_obj(v, path)?
        .iter()
        .map(|(k, v)| {
            let t = match v {
                Value::Null => None,
                other => Some(as_string(other, &join(path, k))?),
            };
            Ok((k.clone(), t))
        })
        .collect()
}
