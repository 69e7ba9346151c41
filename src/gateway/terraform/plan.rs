//! The parts of a Terraform plan (`terraform show -json plan.out`) the import reads: every
//! managed resource with its planned values, its prior values, what is unknown until apply,
//! its planned actions, the expressions of its configuration (for references) and the line of
//! the plan where it is first named.
//!
//! Plan JSON format: <https://developer.hashicorp.com/terraform/internals/json-format>
//! (`planned_values`, `resource_changes[].change.{actions,before,after_unknown}`,
//! `configuration.root_module.{resources,module_calls}` with `expressions.*.references`).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::TerraformError;

/// Deepest module nesting read (`module.a.module.b…`); Terraform itself has no limit, real
/// configurations stay far below.
const MAX_MODULE_DEPTH: usize = 32;

/// Which values of a resource: what the plan leaves after apply, or what was there before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum View {
    After,
    Before,
}

/// One managed resource of the plan.
pub(super) struct Res<'a> {
    pub address: String,
    pub rtype: String,
    /// `module.a.` (with the trailing dot) or empty for the root module.
    pub module: String,
    after: Option<&'a Map<String, Value>>,
    before: Option<&'a Map<String, Value>>,
    /// `change.after_unknown` (true, or an object of what is unknown).
    unknown: Option<&'a Value>,
    pub actions: Vec<String>,
    /// `expressions` of the resource's configuration block.
    pub exprs: Option<&'a Map<String, Value>>,
    pub line: u32,
}

impl<'a> Res<'a> {
    /// The values in `view`: a resource the plan creates has none before; one it deletes has
    /// none after.
    pub fn values(&self, view: View) -> Option<&'a Map<String, Value>> {
        match view {
            View::After => self.after,
            View::Before => {
                if self.actions.is_empty() {
                    // No change recorded: the planned values are the prior ones.
                    self.after
                } else {
                    self.before
                }
            }
        }
    }

    pub fn creates(&self) -> bool {
        self.actions.iter().any(|a| a == "create")
    }

    /// A string attribute in `view`.
    pub fn str(&self, view: View, attr: &str) -> Option<&'a str> {
        self.values(view)?.get(attr)?.as_str()
    }

    pub fn bool(&self, view: View, attr: &str) -> Option<bool> {
        self.values(view)?.get(attr)?.as_bool()
    }

    /// True when `attr` (or a key of it, `attr.key`) is unknown until apply.
    pub fn unknown(&self, view: View, attr: &str, key: Option<&str>) -> bool {
        if view == View::Before {
            return false;
        }
        let Some(u) = self.unknown.and_then(|u| u.get(attr)) else {
            return false;
        };
        match (u, key) {
            (Value::Object(o), Some(k)) => o.get(k).is_some_and(|v| any_true(v, 0)),
            (u, _) => any_true(u, 0),
        }
    }

    /// The references written in `attr`'s expression (`aws_api_gateway_resource.x.id`, …).
    pub fn references(&self, attr: &str) -> Vec<&'a str> {
        refs_in(self.exprs.and_then(|e| e.get(attr)))
    }

    /// True when the configuration writes `attr` at all (a constant or an expression).
    pub fn writes(&self, attr: &str) -> bool {
        self.exprs
            .and_then(|e| e.get(attr))
            .is_some_and(|v| !v.is_null())
    }
}

/// True when an `after_unknown` value marks anything unknown (`true` anywhere in it; the
/// plan's nesting is bounded by serde_json's recursion limit, and so is this walk).
fn any_true(v: &Value, depth: usize) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) if depth < 64 => a.iter().any(|x| any_true(x, depth + 1)),
        Value::Object(o) if depth < 64 => o.values().any(|x| any_true(x, depth + 1)),
        _ => false,
    }
}

/// The `references` of one expression object (or of the first element of a nested block).
pub(super) fn refs_in(expr: Option<&Value>) -> Vec<&str> {
    match expr {
        Some(Value::Object(o)) => o
            .get("references")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The plan, indexed.
pub(super) struct Plan<'a> {
    pub file: &'a str,
    pub resources: Vec<Res<'a>>,
    by_address: HashMap<String, usize>,
    /// (view, attribute, value) → resources holding it, for the id attributes looked up by
    /// value (`id`, `root_resource_id`): a large plan with literal ids stays linear.
    by_id: HashMap<(bool, &'static str, &'a str), Vec<usize>>,
}

/// The attributes [`Plan::by_id`] can look up.
const ID_ATTRS: [&str; 2] = ["id", "root_resource_id"];

impl<'a> Plan<'a> {
    pub fn read(doc: &'a Value, text: &str, file: &'a str) -> Result<Plan<'a>, TerraformError> {
        let not_a_plan = |what: &str| TerraformError::NotAPlan {
            file: file.to_string(),
            what: what.to_string(),
        };
        let root = doc
            .as_object()
            .ok_or_else(|| not_a_plan("the document is not a JSON object"))?;
        if !root.contains_key("format_version") {
            return Err(not_a_plan("it has no format_version"));
        }
        if !root.contains_key("planned_values") && !root.contains_key("resource_changes") {
            let what = if root.contains_key("values") {
                "it is a state (terraform show -json without a plan file), not a plan"
            } else {
                "it has neither planned_values nor resource_changes"
            };
            return Err(not_a_plan(what));
        }
        let lines = address_lines(text);
        let mut plan = Plan {
            file,
            resources: Vec::new(),
            by_address: HashMap::new(),
            by_id: HashMap::new(),
        };
        // Planned values, in document order.
        if let Some(m) = doc.pointer("/planned_values/root_module") {
            plan.read_module(m, 0)?;
        }
        // Changes: actions, prior values, unknowns; resources the plan deletes appear only here.
        if let Some(changes) = root.get("resource_changes").and_then(Value::as_array) {
            for c in changes {
                if c.get("mode").and_then(Value::as_str) != Some("managed") {
                    continue;
                }
                let (Some(address), Some(rtype)) = (
                    c.get("address").and_then(Value::as_str),
                    c.get("type").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let change = c.get("change");
                let actions: Vec<String> = change
                    .and_then(|ch| ch.get("actions"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let before = change
                    .and_then(|ch| ch.get("before"))
                    .and_then(Value::as_object);
                let unknown = change.and_then(|ch| ch.get("after_unknown"));
                let i = match plan.by_address.get(address) {
                    Some(&i) => i,
                    None => {
                        plan.push(Res {
                            address: address.to_string(),
                            rtype: rtype.to_string(),
                            module: c
                                .get("module_address")
                                .and_then(Value::as_str)
                                .map(|m| format!("{m}."))
                                .unwrap_or_default(),
                            after: None,
                            before: None,
                            unknown: None,
                            actions: Vec::new(),
                            exprs: None,
                            line: 1,
                        });
                        plan.resources.len() - 1
                    }
                };
                let r = &mut plan.resources[i];
                r.actions = actions;
                r.before = before;
                r.unknown = unknown;
                if r.after.is_none() && !r.actions.iter().any(|a| a == "delete") {
                    r.after = change
                        .and_then(|ch| ch.get("after"))
                        .and_then(Value::as_object);
                }
            }
        }
        // Configuration expressions, by the address without instance keys.
        let mut exprs: HashMap<String, &'a Map<String, Value>> = HashMap::new();
        if let Some(m) = doc.pointer("/configuration/root_module") {
            config_module(m, "", 0, &mut exprs);
        }
        for r in &mut plan.resources {
            let key = format!("{}{}", r.module, strip_keys(&r.address[r.module.len()..]));
            r.exprs = exprs.get(&key).copied();
            r.line = lines.get(&r.address).copied().unwrap_or(1);
        }
        let mut by_id: HashMap<(bool, &'static str, &'a str), Vec<usize>> = HashMap::new();
        for (i, r) in plan.resources.iter().enumerate() {
            for (after, view) in [(true, View::After), (false, View::Before)] {
                for attr in ID_ATTRS {
                    if let Some(v) = r.str(view, attr) {
                        by_id.entry((after, attr, v)).or_default().push(i);
                    }
                }
            }
        }
        plan.by_id = by_id;
        Ok(plan)
    }

    fn push(&mut self, r: Res<'a>) {
        self.by_address
            .insert(r.address.clone(), self.resources.len());
        self.resources.push(r);
    }

    fn read_module(&mut self, m: &'a Value, depth: usize) -> Result<(), TerraformError> {
        if depth > MAX_MODULE_DEPTH {
            return Err(TerraformError::NotAPlan {
                file: self.file.to_string(),
                what: format!("its modules nest deeper than {MAX_MODULE_DEPTH} levels"),
            });
        }
        let module = m
            .get("address")
            .and_then(Value::as_str)
            .map(|a| format!("{a}."))
            .unwrap_or_default();
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("mode").and_then(Value::as_str) != Some("managed") {
                continue;
            }
            let (Some(address), Some(rtype)) = (
                r.get("address").and_then(Value::as_str),
                r.get("type").and_then(Value::as_str),
            ) else {
                continue;
            };
            if self.by_address.contains_key(address) {
                continue;
            }
            self.push(Res {
                address: address.to_string(),
                rtype: rtype.to_string(),
                module: module.clone(),
                after: r.get("values").and_then(Value::as_object),
                before: None,
                unknown: None,
                actions: Vec::new(),
                exprs: None,
                line: 1,
            });
        }
        for child in m
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.read_module(child, depth + 1)?;
        }
        Ok(())
    }

    pub fn get(&self, i: usize) -> &Res<'a> {
        &self.resources[i]
    }

    /// Indexes of the resources of a type, in document order.
    pub fn of_type<'p>(&'p self, rtype: &'p str) -> impl Iterator<Item = usize> + 'p {
        self.resources
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.rtype == rtype)
            .map(|(i, _)| i)
    }

    /// The resource of one of `types` that `attr` of `from` names: by the references of its
    /// expression, else by the id value it holds (`id_attr` of the candidates, `id` unless
    /// given). `None` when neither names one.
    pub fn target(
        &self,
        from: &Res<'a>,
        view: View,
        attr: &str,
        types: &[&str],
        id_attr: &str,
    ) -> Option<usize> {
        self.target_by_refs(from, &from.references(attr), types)
            .or_else(|| {
                let v = from.str(view, attr)?;
                self.by_id(v, view, types, id_attr)
            })
    }

    /// The first reference that names a resource of `types` (relative to `from`'s module).
    pub fn target_by_refs(&self, from: &Res<'a>, refs: &[&str], types: &[&str]) -> Option<usize> {
        for r in refs {
            let mut parts = r.splitn(3, '.');
            let (Some(t), Some(n)) = (parts.next(), parts.next()) else {
                continue;
            };
            if !types.contains(&t) {
                continue;
            }
            let n = n.split('[').next().unwrap_or(n);
            let address = format!("{}{t}.{n}", from.module);
            if let Some(&i) = self.by_address.get(&address) {
                return Some(i);
            }
            // Instances of a resource with count/for_each: only one instance is unambiguous.
            let prefix = format!("{address}[");
            let mut matches = self
                .resources
                .iter()
                .enumerate()
                .filter(|(_, r)| r.address.starts_with(&prefix));
            if let (Some((i, _)), None) = (matches.next(), matches.next()) {
                return Some(i);
            }
        }
        None
    }

    /// The resource of `types` whose `id_attr` is `id` in `view` (or, failing that, the
    /// other view: a prior id the plan keeps).
    pub fn by_id(&self, id: &str, view: View, types: &[&str], id_attr: &str) -> Option<usize> {
        let find = |v: View| -> Option<usize> {
            let attr = ID_ATTRS.iter().find(|a| **a == id_attr)?;
            self.by_id
                .get(&(v == View::After, *attr, id))?
                .iter()
                .copied()
                .find(|&i| types.contains(&self.resources[i].rtype.as_str()))
        };
        find(view).or_else(|| {
            find(match view {
                View::After => View::Before,
                View::Before => View::After,
            })
        })
    }
}

/// Walks the configuration's modules: `exprs[address] = expressions`.
fn config_module<'a>(
    m: &'a Value,
    prefix: &str,
    depth: usize,
    exprs: &mut HashMap<String, &'a Map<String, Value>>,
) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(a), Some(e)) = (
            r.get("address").and_then(Value::as_str),
            r.get("expressions").and_then(Value::as_object),
        ) {
            exprs.insert(format!("{prefix}{a}"), e);
        }
    }
    if let Some(calls) = m.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            if let Some(child) = call.get("module") {
                config_module(child, &format!("{prefix}module.{name}."), depth + 1, exprs);
            }
        }
    }
}

/// `aws_x.y["k"]` → `aws_x.y`; `module.m[0].aws_x.y[1]` → `module.m.aws_x.y`.
fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == ']' {
                depth -= 1;
            }
            continue;
        }
        if c == '[' {
            depth += 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// The 1-based line where each `"address": "…"` value first appears in the text (planned
/// values come first in `terraform show -json`). A plan written on one line gives line 1.
fn address_lines(text: &str) -> HashMap<String, u32> {
    const KEY: &str = "\"address\"";
    let mut out = HashMap::new();
    let bytes = text.as_bytes();
    let mut line: u32 = 1;
    let mut counted = 0usize;
    let mut from = 0usize;
    while let Some(found) = text[from..].find(KEY) {
        let at = from + found;
        from = at + KEY.len();
        let mut i = from;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b':' {
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'"' {
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            if bytes[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let Ok(address) = serde_json::from_str::<String>(&text[start..=i]) else {
            continue;
        };
        line += bytes[counted..at].iter().filter(|&&b| b == b'\n').count() as u32;
        counted = at;
        out.entry(address).or_insert(line);
        from = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_stripped() {
        assert_eq!(strip_keys("aws_x.y[\"a]b\"]"), "aws_x.y");
        assert_eq!(strip_keys("module.m[0].aws_x.y[1]"), "module.m.aws_x.y");
        assert_eq!(strip_keys("aws_x.y"), "aws_x.y");
    }

    #[test]
    fn lines_of_addresses() {
        let text = "{\n \"a\": {\"address\": \"x.y\"},\n\n \"b\": {\"address\" : \"x.z[\\\"k\\\"]\"},\n \"c\": {\"address\": \"x.y\"}}";
        let l = address_lines(text);
        assert_eq!(l.get("x.y"), Some(&2));
        assert_eq!(l.get("x.z[\"k\"]"), Some(&4));
    }
}
