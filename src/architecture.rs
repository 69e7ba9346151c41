//! The architecture test: the module graph of `src/` as the code spells it, checked against
//! the rules of docs/architecture.md.
//!
//! Every `crate::X…` path (and every `super::` path that climbs to the crate root) in a file
//! under `src/X/` or `src/X.rs` is an edge from top-level module X to the module it names;
//! comments are skipped. The test fails, printing the offending edges, when the pure core
//! (`cors`, `gateway`, `diagnose`) reaches an I/O edge or a front end, and when the
//! top-level modules import each other in a cycle.
//!
//! Run it alone with `cargo test --lib architecture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that do no I/O: where correctness lives.
const CORE: [&str; 3] = ["cors", "gateway", "diagnose"];

/// What the core must never import: front ends, I/O edges and orchestration.
const FORBIDDEN_FROM_CORE: [&str; 8] = [
    "tui", "cli", "aws", "probe", "browser", "runner", "app", "sim",
];

/// Edges that break the rules today and are being removed by another branch, each with who
/// removes it. The lead deletes this list when those branches are merged.
const ALLOWED_FOR_NOW: [(&str, &str, &str); 0] = [];

/// The graph: top-level module → (module it imports → one file that does, as evidence).
type Graph = BTreeMap<String, BTreeMap<String, PathBuf>>;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments (line comments, doc comments and block comments) and without
/// the contents of string literals, so that prose and messages create no edges.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut block_depth = 0usize;
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if block_depth > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block_depth -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                block_depth += 1;
            }
            if c == '\n' {
                out.push('\n');
            }
            continue;
        }
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                block_depth = 1;
            }
            '"' => {
                in_string = true;
                out.push('"');
            }
            // A raw string (`r"…"`, `r#"…"#`, `br#"…"#`): skipped to its matching end.
            'r' if matches!(chars.peek(), Some('#' | '"')) && raw_string_may_start(&out) => {
                let mut hashes = 0;
                while chars.peek() == Some(&'#') {
                    chars.next();
                    hashes += 1;
                }
                if chars.peek() != Some(&'"') {
                    // `r#ident` (a raw identifier), not a string.
                    out.push('r');
                    out.push_str(&"#".repeat(hashes));
                    continue;
                }
                chars.next();
                let end: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let mut body = String::new();
                for c in chars.by_ref() {
                    body.push(c);
                    if c == '\n' {
                        out.push('\n');
                    }
                    if body.ends_with(&end) {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal such as '"' must not open a string.
            '\'' => {
                out.push('\'');
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\\") || rest.chars().nth(1) == Some('\'') {
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '\'' {
                            break;
                        }
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// True when an `r` just read may open a raw string: it starts a token (or follows a `b`
/// that does).
fn raw_string_may_start(before: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut rev = before.chars().rev();
    match rev.next() {
        None => true,
        Some('b') => !rev.next().is_some_and(ident),
        Some(c) => !ident(c),
    }
}

/// The top-level modules a piece of code names: `crate::X`, and `super::…::X` where the
/// `super`s climb to the crate root from a file `depth` modules deep.
fn named_modules(code: &str, depth: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let bytes = code.as_bytes();
    let boundary = |i: usize| {
        i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'$')
    };
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        if rest.starts_with("crate::") && boundary(i) {
            let name = ident(&rest["crate::".len()..]);
            if !name.is_empty() {
                found.insert(name);
            }
            i += "crate::".len();
            continue;
        }
        if rest.starts_with("super::") && boundary(i) {
            let mut climbs = 0;
            let mut tail = rest;
            while let Some(t) = tail.strip_prefix("super::") {
                climbs += 1;
                tail = t;
            }
            if climbs >= depth {
                let name = ident(tail);
                if !name.is_empty() {
                    found.insert(name);
                }
            }
            i += "super::".len() * climbs;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// The top-level module a file belongs to, and how many modules deep the file is
/// (`src/cors.rs` and `src/cors/mod.rs`: 1; `src/cors/check.rs`: 2).
fn module_of(src: &Path, file: &Path) -> Option<(String, usize)> {
    let rel = file.strip_prefix(src).ok()?;
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let first = parts.first()?;
    let top = first.strip_suffix(".rs").unwrap_or(first).to_string();
    let mut depth = parts.len();
    if parts.last().is_some_and(|l| l == "mod.rs") {
        depth -= 1;
    }
    Some((top, depth))
}

fn graph() -> Graph {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_of(&src, f).map(|(m, _)| m))
        .collect();
    let mut graph = Graph::new();
    for file in &files {
        let Some((from, depth)) = module_of(&src, file) else {
            continue;
        };
        if from == "architecture" || from == "main" || from == "lib" {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap_or_default();
        let edges = graph.entry(from.clone()).or_default();
        for to in named_modules(&code_only(&source), depth) {
            if to != from && modules.contains(&to) {
                edges.entry(to).or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

/// Every cycle's modules, as strongly connected components of more than one module.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative enough for a graph of two dozen nodes.
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.graph.get(v) {
            for w in edges.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn allowed_for_now(from: &str, to: &str) -> bool {
    ALLOWED_FOR_NOW
        .iter()
        .any(|(f, t, _)| *f == from && *t == to)
}

/// The graph without the edges allowed for now.
fn ruled_graph() -> Graph {
    let mut g = graph();
    for (from, edges) in g.iter_mut() {
        edges.retain(|to, _| !allowed_for_now(from, to));
    }
    g
}

fn show(edge: (&str, &str), file: &Path) -> String {
    let src = src_dir();
    format!(
        "{} -> {} (in src/{})",
        edge.0,
        edge.1,
        file.strip_prefix(&src).unwrap_or(file).display()
    )
}

#[test]
fn the_core_imports_no_edge_and_no_front_end() {
    let g = ruled_graph();
    let mut bad = Vec::new();
    for from in CORE {
        for (to, file) in g.get(from).into_iter().flatten() {
            if FORBIDDEN_FROM_CORE.contains(&to.as_str()) {
                bad.push(show((from, to), file));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "the pure core imports an I/O edge or a front end:\n  {}",
        bad.join("\n  ")
    );
}

/// The flow picture (`flow`): derived from the evidence, the model and the verdict, read by
/// the report and the TUI. Pure like the core, and below the outputs: it imports no I/O edge,
/// no front end, no orchestration and not the report.
#[test]
fn the_flow_is_pure_and_below_the_outputs() {
    let g = ruled_graph();
    let bad: Vec<String> = g
        .get("flow")
        .into_iter()
        .flatten()
        .filter(|(to, _)| FORBIDDEN_FROM_CORE.contains(&to.as_str()) || to.as_str() == "report")
        .map(|(to, file)| show(("flow", to), file))
        .collect();
    assert!(
        bad.is_empty(),
        "the flow imports an I/O edge, a front end or the report:\n  {}",
        bad.join("\n  ")
    );
    assert!(g.contains_key("flow"), "the flow module is gone from src/");
}

/// The leaves of docs/architecture.md: parsers and helpers that import nothing of the crate
/// (`har` reads HAR files into its own model; `evidence::recorded` makes evidence of it).
const LEAVES: [&str; 5] = ["text", "user_file", "signals", "paste", "har"];

#[test]
fn the_leaves_import_nothing_of_the_crate() {
    let g = ruled_graph();
    let mut bad = Vec::new();
    for from in LEAVES {
        for (to, file) in g.get(from).into_iter().flatten() {
            bad.push(show((from, to), file));
        }
    }
    assert!(
        bad.is_empty(),
        "a leaf imports the crate:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn the_top_level_modules_import_each_other_in_no_cycle() {
    let g = ruled_graph();
    let found = cycles(&g);
    let mut report = Vec::new();
    for component in &found {
        report.push(format!("cycle among {}:", component.join(", ")));
        for from in component {
            for (to, file) in g.get(from).into_iter().flatten() {
                if component.contains(to) {
                    report.push(format!("  {}", show((from, to), file)));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", report.join("\n"));
}

/// The modules that may name the `clap` crate: the command line (`cli`), `app`, which
/// prints clap's own errors, and `manual`, which renders the command line's definition as
/// completion scripts and man pages.
const CLAP_USERS: [&str; 3] = ["cli", "app", "manual"];

#[test]
fn clap_stays_in_the_command_line() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut bad = Vec::new();
    for file in &files {
        let Some((module, _)) = module_of(&src, file) else {
            continue;
        };
        if CLAP_USERS.contains(&module.as_str())
            || ["main", "architecture"].contains(&module.as_str())
        {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(file).unwrap_or_default());
        let names_clap = code.match_indices("clap").any(|(i, _)| {
            let before = code[..i].chars().next_back();
            let after = code[i + 4..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        });
        if names_clap {
            bad.push(format!(
                "src/{}",
                file.strip_prefix(&src).unwrap_or(file).display()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "clap (derives, ValueEnum, errors) belongs in cli.rs; these name it:\n  {}",
        bad.join("\n  ")
    );
}

/// Front ends of whole-API checks: entered only from the dispatch (`app`) and the command
/// line (`cli`, which converts their `--format`); nothing below them imports them.
const WHOLE_API_FRONT_ENDS: [&str; 2] = ["lint", "audit"];

#[test]
fn only_the_dispatch_enters_lint_and_audit() {
    let graph = ruled_graph();
    let mut bad = Vec::new();
    for (from, edges) in &graph {
        for front in WHOLE_API_FRONT_ENDS {
            if let Some(file) = edges.get(front) {
                if !["app", "cli", "audit", "tui", "manual"].contains(&from.as_str()) {
                    bad.push(show((from, front), file));
                }
            }
        }
    }
    assert!(
        graph.contains_key("audit"),
        "src/audit is a top-level module"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_allowed_edges_still_exist() {
    // An allowed edge that is gone must leave the list (or it would hide a new one).
    let g = graph();
    for (from, to, who) in ALLOWED_FOR_NOW {
        assert!(
            g.get(from).is_some_and(|e| e.contains_key(to)),
            "{from} -> {to} is gone: delete it from ALLOWED_FOR_NOW (it was {who}'s to remove)"
        );
    }
}

#[test]
fn the_scanner_sees_paths_and_skips_prose() {
    let code = code_only(
        "use crate::cors::Mode; // crate::tui\n/* crate::cli */ let s = \"crate::aws\";\nlet c = '\"'; super::super::probe::x();\nlet r = r#\"\"crate::runner\"\"#; let r#type = 1;",
    );
    let names = named_modules(&code, 2);
    assert_eq!(
        names,
        ["cors", "probe"].iter().map(|s| s.to_string()).collect()
    );
    // Two `super`s from three modules deep stay inside the top-level module.
    assert!(named_modules(&code, 3).iter().all(|n| n != "probe"));
    // A cycle is found, and printed with its edges.
    let mut g = Graph::new();
    g.entry("a".into())
        .or_default()
        .insert("b".into(), "a.rs".into());
    g.entry("b".into())
        .or_default()
        .insert("a".into(), "b.rs".into());
    g.entry("c".into())
        .or_default()
        .insert("a".into(), "c.rs".into());
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".to_string()]]);
}

/// Prints the module graph (`cargo test --lib architecture::print_graph -- --nocapture`).
#[test]
fn print_graph() {
    for (from, edges) in graph() {
        let to: Vec<&str> = edges.keys().map(String::as_str).collect();
        println!("{from} -> {}", to.join(" "));
    }
}
