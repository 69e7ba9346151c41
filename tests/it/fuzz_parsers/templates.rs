//! Templates: every fixture of tests/fixtures/templates/ mutated at the text level (bytes
//! replaced, removed, duplicated; lines swapped; YAML tags and intrinsic keys planted) is read
//! without a panic; a template that is read has sources on lines of the file, and each of its
//! APIs answers a preflight in the behaviour model.

use super::*;

use std::collections::BTreeMap;

use cors_doctor::gateway::template::{self, lines::LineMap};

fn fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("fixture"),
            )
        })
        .collect();
    texts.sort();
    texts.into_iter().map(|(_, t)| t).collect()
}

#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, String),
    Remove(usize, usize),
    Duplicate(usize, usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let planted = prop::sample::select(vec![
        "!Ref ",
        "!GetAtt ",
        "!Sub ",
        "!If [",
        "!Bogus ",
        "{\"Fn::Nope\": 1}",
        "\"Ref\": \"Api\"",
        "ParentId: !Ref A\n",
        "Condition: C\n",
        "*a",
        "&a ",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        ":",
        "\"",
        "'",
        "\n  ",
        "\t",
        "\u{feff}",
        "null",
        "Type: AWS::Serverless::Api\n",
        "é",
    ]);
    prop_oneof![
        (any::<usize>(), planted).prop_map(|(i, s)| Edit::Replace(i, s.to_string())),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Remove(i, n)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn boundary(text: &str, i: usize) -> usize {
    let mut i = i % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, e: &Edit) {
    match e {
        Edit::Replace(i, s) => {
            let at = boundary(text, *i);
            let end = boundary(text, at + s.len().min(3)).max(at);
            text.replace_range(at..end, s);
        }
        Edit::Remove(i, n) => {
            let at = boundary(text, *i);
            let end = boundary(text, at + n).max(at);
            text.replace_range(at..end, "");
        }
        Edit::Duplicate(i, n) => {
            let at = boundary(text, *i);
            let end = boundary(text, at + n).max(at);
            let copy = text[at..end].to_string();
            text.insert_str(end, &copy);
        }
        Edit::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() > 1 {
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
            }
            *text = lines.join("\n");
        }
    }
}

#[test]
fn fuzz_templates() {
    let texts = fixtures();
    assert!(texts.len() >= 15);
    let n = texts.len();
    fuzz(
        "templates",
        (0..n, prop::collection::vec(edit(), 1..6)),
        |(which, edits)| {
            let mut text = texts[which].clone();
            for e in &edits {
                apply(&mut text, e);
            }
            let lines = LineMap::build(&text);
            let _ = lines.line("Resources.Api.Properties");
            let total = u32::try_from(text.lines().count() + 1).unwrap_or(u32::MAX);
            if let Ok(apis) = template::import(&text, "t.yaml", &BTreeMap::new()) {
                for a in &apis {
                    for l in &a.api.sources {
                        prop_assert!(
                            l.source.line >= 1 && l.source.line <= total,
                            "line {} of {total}",
                            l.source.line
                        );
                    }
                    for r in &a.api.resources {
                        let _ = cors_doctor::gateway::inspect::facts_for_origin(
                            &a.api,
                            a.api.stages.first().map(|s| s.name.as_str()),
                            &r.path,
                            "GET",
                            Some("https://app.example.com"),
                        );
                    }
                }
                let _ = template::select(apis, None, Some("/items"));
            }
            Ok(())
        },
    );
}
