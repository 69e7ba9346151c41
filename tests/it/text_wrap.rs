//! `check`'s text output wrapped at 100 columns when piped (issue #13 item 9): every line fits
//! unless one word is longer, and every printed command, broken over lines with ` \`, is still
//! valid bash (`bash -n`) and runs with exactly the arguments of the unwrapped command (each
//! command run through bash with `aws` and `curl` as functions, its xtrace compared).

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::{args, cors_doctor};
use cors_doctor::report::wrap::{wrap, PIPED_WIDTH};

fn scenarios() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the scenarios")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// The commands of a text report, each with its continuation lines (` \` + newline), the
/// `$ ` taken off.
fn printed_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(cmd) = line.trim_start().strip_prefix("$ ") else {
            continue;
        };
        let mut cmd = cmd.to_string();
        while cmd.ends_with(" \\") {
            let Some(next) = lines.next() else { break };
            cmd.push('\n');
            cmd.push_str(next);
        }
        out.push(cmd);
    }
    out
}

/// The names of the variables the commands require (`${NAME:?…}`), given dummy values so the
/// commands run to their end.
fn required_vars(cmds: &[String]) -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for c in cmds {
        for part in c.split("${").skip(1) {
            if let Some((name, _)) = part.split_once(":?") {
                if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                    vars.insert(name.to_string());
                }
            }
        }
    }
    vars
}

/// What bash runs for `cmd`: its xtrace (every expanded command and assignment) and output,
/// with `aws` and `curl` as functions that print their arguments.
fn run_in_bash(cmd: &str, vars: &BTreeSet<String>) -> String {
    let syntax = Command::new("bash")
        .args(["-n", "-c", cmd])
        .output()
        .expect("bash");
    assert!(
        syntax.status.success(),
        "bash -n refuses:\n{cmd}\n{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let mut script = String::from(
        "aws() { printf '<%s>' aws \"$@\"; echo; }\ncurl() { printf '<%s>' curl \"$@\"; echo; }\n",
    );
    for v in vars {
        script.push_str(&format!("{v}=dummy-{}\n", v.to_lowercase()));
    }
    script.push_str("PS4='+ '\nset -x\n");
    script.push_str(cmd);
    script.push('\n');
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("bash");
    // The trace of a pipeline's commands comes in whatever order they start: compared as a
    // sorted list of lines.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut trace: Vec<&str> = stderr.lines().collect();
    trace.sort_unstable();
    format!(
        "{}\n--stderr--\n{}\n--status {:?}",
        String::from_utf8_lossy(&out.stdout),
        trace.join("\n"),
        out.status.code()
    )
}

fn remediation_commands(json: &serde_json::Value) -> Vec<String> {
    json["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .flat_map(|f| {
            f["remediation"]["commands"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn piped_text_wraps_at_100_and_commands_still_run_the_same() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let mut wrapped_commands = 0;
    let mut checked = 0;
    for name in scenarios() {
        let text = cors_doctor(args(&["demo", &name, "--format", "text"])).await;
        let text = String::from_utf8_lossy(&text.stdout).to_string();
        let json = cors_doctor(args(&["demo", &name, "--format", "json"])).await;
        let json: serde_json::Value =
            serde_json::from_slice(&json.stdout).unwrap_or(serde_json::Value::Null);
        for line in text.lines() {
            let long_word = line.split(' ').any(|w| w.chars().count() > PIPED_WIDTH / 2);
            assert!(
                line.chars().count() <= PIPED_WIDTH || long_word,
                "{name}: a line longer than {PIPED_WIDTH} columns:\n{line}"
            );
        }
        let originals = remediation_commands(&json);
        let printed = printed_commands(&text);
        assert!(
            printed.len() <= originals.len() && (originals.is_empty() || !printed.is_empty()),
            "{name}: {} printed, {} in the report",
            printed.len(),
            originals.len()
        );
        let vars = required_vars(&originals);
        let expected: BTreeSet<String> = originals.iter().map(|c| run_in_bash(c, &vars)).collect();
        for cmd in &printed {
            if cmd.contains(" \\\n") {
                wrapped_commands += 1;
            }
            let ran = run_in_bash(cmd, &vars);
            assert!(
                expected.contains(&ran),
                "{name}: the printed command runs differently from every command of the report:\n{cmd}\n{ran}"
            );
            checked += 1;
        }
    }
    assert!(
        wrapped_commands > 10,
        "only {wrapped_commands} commands were wrapped"
    );
    assert!(checked > 20, "only {checked} commands checked");
}

/// Narrower terminals too: every command of every scenario, wrapped at 40 and 60 columns,
/// runs as the original.
#[tokio::test]
async fn narrow_wrapping_keeps_every_command_intact() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let mut all = Vec::new();
    for name in scenarios() {
        let json = cors_doctor(args(&["demo", &name, "--format", "json"])).await;
        let json: serde_json::Value =
            serde_json::from_slice(&json.stdout).unwrap_or(serde_json::Value::Null);
        all.extend(remediation_commands(&json));
    }
    all.sort();
    all.dedup();
    assert!(all.len() > 10);
    let vars = required_vars(&all);
    for width in [40, 60] {
        for original in &all {
            let block: String = original
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    let prefix = if i == 0 && !l.starts_with('#') {
                        "$ "
                    } else {
                        "  "
                    };
                    format!("        {prefix}{l}\n")
                })
                .collect();
            let text = wrap(&block, width);
            let printed = printed_commands(&text);
            assert_eq!(printed.len(), 1, "{text}");
            assert_eq!(
                run_in_bash(&printed[0], &vars),
                run_in_bash(original, &vars),
                "at {width} columns:\n{text}"
            );
        }
    }
}
