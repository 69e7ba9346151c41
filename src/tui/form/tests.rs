//! The form's update function, its checks and its layout.

use super::*;
use crate::plan::TargetArgs;
use std::path::{Path, PathBuf};

fn no_file(_: &Path) -> Result<(), String> {
    Ok(())
}

fn filled() -> FormState {
    FormState::new(&Prefill {
        url: Some("https://x.example/a".into()),
        origin: Some("https://app.example".into()),
        ..Prefill::default()
    })
}

fn type_text(f: &mut FormState, text: &str) {
    for c in text.chars() {
        f.update(FormInput::Char(c));
    }
}

#[test]
fn text_input_edits_at_the_cursor() {
    let mut t = TextInput::new("héllo");
    t.left();
    t.left();
    t.insert('X');
    assert_eq!(t.text, "hélXlo");
    t.backspace();
    t.backspace();
    assert_eq!(t.text, "héllo".replacen('l', "", 1));
    t.home();
    t.delete();
    assert_eq!(t.text, "élo");
    t.end();
    t.right();
    assert_eq!(t.cursor, 3);
}

#[test]
fn form_becomes_check_flags() {
    let mut f = FormState::new(&Prefill {
        url: Some("https://x.example/a".into()),
        origin: Some("https://app.example".into()),
        headers: vec!["Authorization: Bearer t".into(), "X-A: 1".into()],
        api_id: Some("a1b2c3d4e5".into()),
        stage: Some("prod".into()),
        openapi: Some("export.json".into()),
        ..Prefill::default()
    });
    f.cycle_credentials(true);
    let a = f.to_args(&TargetArgs::default());
    assert_eq!(a.url.as_deref(), Some("https://x.example/a"));
    assert_eq!(a.headers, vec!["Authorization: Bearer t", "X-A: 1"]);
    assert_eq!(a.credentials.as_deref(), Some("include"));
    assert_eq!(a.method.as_deref(), Some("GET"));
    assert_eq!(a.profile, None);
    assert_eq!(a.api_id.as_deref(), Some("a1b2c3d4e5"));
    assert_eq!(a.stage.as_deref(), Some("prod"));
    assert_eq!(a.openapi, Some(PathBuf::from("export.json")));
    let again = FormState::from_args(&a).to_args(&TargetArgs::default());
    assert_eq!(format!("{again:?}"), format!("{a:?}"));
}

#[test]
fn typing_on_the_method_chooses_never_appends() {
    let mut f = filled();
    f.focus_on(Slot::Field(Field::Method));
    type_text(&mut f, "POST");
    // P: POST; O: OPTIONS; S: nothing starts with S; T: nothing.
    assert_eq!(f.method_name(), "OPTIONS");
    f.update(FormInput::Char('p'));
    assert_eq!(f.method_name(), "POST");
    f.update(FormInput::Char('p'));
    assert_eq!(f.method_name(), "PUT");
    f.update(FormInput::Right);
    assert_eq!(f.method_name(), "PATCH");
    f.update(FormInput::Left);
    f.update(FormInput::Left);
    assert_eq!(f.method_name(), "POST");
    f.update(FormInput::Char(' '));
    assert_eq!(f.method_name(), "PUT");
    assert_eq!(
        f.to_args(&TargetArgs::default()).method.as_deref(),
        Some("PUT")
    );
    // A method from the command line that the list lacks is offered, not lost.
    let g = FormState::new(&Prefill {
        method: Some("PROPFIND".into()),
        ..Prefill::default()
    });
    assert_eq!(g.method_name(), "PROPFIND");
}

#[test]
fn headers_are_a_list_with_add_and_remove() {
    let mut f = filled();
    f.focus_on(Slot::Field(Field::Headers));
    // Typing on the empty list starts a header.
    type_text(&mut f, "X-A: 1");
    f.update(FormInput::AddHeader);
    type_text(&mut f, "X-B: 2");
    f.update(FormInput::AddHeader);
    type_text(&mut f, "X-C: 3");
    assert_eq!(f.header_entries(), vec!["X-A: 1", "X-B: 2", "X-C: 3"]);
    f.update(FormInput::Prev);
    assert_eq!(f.header_sel, 1);
    f.update(FormInput::RemoveHeader);
    assert_eq!(f.header_entries(), vec!["X-A: 1", "X-C: 3"]);
    assert_eq!(f.header_sel, 1);
    // Up and Down walk the rows, then leave the list.
    f.update(FormInput::Next);
    assert_eq!(f.field(), Field::Credentials);
    f.update(FormInput::Prev);
    assert_eq!((f.field(), f.header_sel), (Field::Headers, 1));
    f.update(FormInput::Prev);
    f.update(FormInput::Prev);
    assert_eq!(f.field(), Field::Method);
    // Remove does nothing away from the headers.
    f.update(FormInput::RemoveHeader);
    assert_eq!(f.header_entries().len(), 2);
}

#[test]
fn a_stripped_secret_is_asked_for_not_replayed() {
    let mut f = FormState::new(&Prefill {
        url: Some("https://x.example/a".into()),
        origin: Some("https://app.example".into()),
        headers: vec!["Authorization: ".into(), "X-Trace: 1".into()],
        ..Prefill::default()
    });
    assert!(f.headers[0].needs_secret);
    // The form opens on it, cursor at the end.
    assert_eq!((f.field(), f.header_sel), (Field::Headers, 0));
    let errors = f.validate(&no_file);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, Slot::Header(0));
    assert!(
        errors[0].1.contains("secret and was not saved"),
        "{errors:?}"
    );
    type_text(&mut f, "Bearer abc");
    assert!(!f.headers[0].needs_secret);
    assert!(f.validate(&no_file).is_empty());
    assert_eq!(
        f.header_entries(),
        vec!["Authorization: Bearer abc", "X-Trace: 1"]
    );
}

#[test]
fn errors_are_plain_words_under_their_field() {
    let mut f = FormState::new(&Prefill {
        url: Some("abc123.execute-api.us-east-1.amazonaws.com/prod/items".into()),
        origin: Some("https://app.example.com/index.html".into()),
        headers: vec!["X Bad: 1".into(), "NoColon".into()],
        region: Some("US East".into()),
        stage: Some("prod/v1".into()),
        ..Prefill::default()
    });
    f.errors = f.validate(&no_file);
    let url = f.error_at(Slot::Field(Field::Url)).unwrap();
    assert!(
        url.starts_with("Start with https://, e.g. https://abc123.execute-api"),
        "{url}"
    );
    assert!(!url.contains("relative URL"), "{url}");
    let origin = f.error_at(Slot::Field(Field::Origin)).unwrap();
    assert!(origin.contains("https://app.example.com"), "{origin}");
    assert!(origin.contains("no path"), "{origin}");
    assert!(f
        .error_at(Slot::Header(0))
        .unwrap()
        .contains("not a header name"));
    assert!(f.error_at(Slot::Header(1)).unwrap().contains("Name: value"));
    assert!(f.error_at(Slot::Field(Field::Region)).is_some());
    assert!(f.error_at(Slot::Field(Field::Stage)).is_some());
    // Editing a field takes its problem away (checked again on the next submit).
    f.focus_on(Slot::Field(Field::Url));
    f.update(FormInput::Home);
    type_text(&mut f, "https://");
    assert!(f.error_at(Slot::Field(Field::Url)).is_none());
    assert!(f.error_at(Slot::Field(Field::Origin)).is_some());
    assert!(f
        .validate(&no_file)
        .iter()
        .all(|(s, _)| *s != Slot::Field(Field::Url)));
}

#[test]
fn stage_names_follow_api_gateway() {
    for (stage, ok) in [
        ("prod", true),
        ("dev_2-b", true),
        ("$default", true),
        ("prod/v1", false),
        ("$prod", false),
        ("my stage", false),
    ] {
        let f = FormState::new(&Prefill {
            url: Some("https://x.example/a".into()),
            origin: Some("https://app.example".into()),
            stage: Some(stage.into()),
            ..Prefill::default()
        });
        let errors = f.validate(&no_file);
        assert_eq!(errors.is_empty(), ok, "{stage}: {errors:?}");
    }
}

#[test]
fn problems_never_quote_a_secret() {
    let f = FormState::new(&Prefill {
        url: Some("alice:hunter2@x.example/a?token=s3cr3t".into()),
        origin: Some("bob:pw123@app.example".into()),
        ..Prefill::default()
    });
    for (_, e) in f.validate(&no_file) {
        for secret in ["hunter2", "s3cr3t", "pw123"] {
            assert!(!e.contains(secret), "{e}");
        }
    }
}

#[test]
fn without_a_url_the_configuration_is_required() {
    let f = FormState::new(&Prefill {
        origin: Some("https://app.example".into()),
        path: Some("items".into()),
        ..Prefill::default()
    });
    let e = f.validate(&no_file);
    assert!(e
        .iter()
        .any(|(s, m)| *s == Slot::Field(Field::Path) && m.contains("/items")));
    let f = FormState::new(&Prefill {
        origin: Some("https://app.example".into()),
        path: Some("/items".into()),
        ..Prefill::default()
    });
    let e = f.validate(&no_file);
    let slots: Vec<Slot> = e.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        slots,
        vec![Slot::Field(Field::ApiId), Slot::Field(Field::Stage)]
    );
    let f = FormState::new(&Prefill {
        origin: Some("https://app.example".into()),
        path: Some("/items".into()),
        openapi: Some("missing.json".into()),
        ..Prefill::default()
    });
    let e = f.validate(&|p: &Path| check_openapi_file(p));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, Slot::Field(Field::OpenApi));
    assert!(e[0].1.starts_with("No such file"), "{e:?}");
    let dir = tempfile::tempdir().unwrap();
    assert!(check_openapi_file(dir.path())
        .unwrap_err()
        .contains("folder"));
}

#[test]
fn a_pending_confirmation_takes_only_send_or_back() {
    let mut f = filled();
    f.confirm = Some(Confirm {
        method: "POST".into(),
        url: "https://x.example/a".into(),
    });
    assert_eq!(f.update(FormInput::Char('x')), None);
    assert_eq!(f.url.text, "https://x.example/a");
    assert_eq!(f.update(FormInput::Back), None);
    assert!(f.confirm.is_none());
    f.confirm = Some(Confirm {
        method: "POST".into(),
        url: "u".into(),
    });
    assert_eq!(f.update(FormInput::Submit), Some(FormEvent::Confirmed));
    assert!(f.confirm.is_none());
    assert_eq!(f.update(FormInput::Submit), Some(FormEvent::Submit));
    assert_eq!(f.update(FormInput::Back), Some(FormEvent::Back));
}

#[test]
fn template_parameters_are_typed_checked_and_passed_on() {
    let with = |openapi: Option<&str>, parameters: &str| {
        let mut f = FormState::new(&Prefill {
            origin: Some("https://app.example".into()),
            path: Some("/items".into()),
            stage: Some("prod".into()),
            openapi: openapi.map(str::to_string),
            ..Prefill::default()
        });
        f.parameters = TextInput::new(parameters);
        f
    };
    let ok = |_: &Path| Ok(());
    // Good: each word KEY=VALUE (a value may hold '=' and ':'), with a template.
    let f = with(
        Some("template.yaml"),
        "Stage=prod  AWS::Region=eu-west-1 Token=a=b",
    );
    assert!(f.validate(&ok).is_empty(), "{:?}", f.validate(&ok));
    let args = f.to_args(&TargetArgs::default());
    assert_eq!(
        args.parameters,
        vec!["Stage=prod", "AWS::Region=eu-west-1", "Token=a=b"]
    );
    assert_eq!(args.openapi.as_deref(), Some(Path::new("template.yaml")));
    // A word without '=' (or with an empty key) is named.
    for bad in ["Stage", "=prod"] {
        let e = with(Some("template.yaml"), bad).validate(&ok);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, Slot::Field(Field::Parameters));
        assert!(
            e[0].1.contains(&format!("'{bad}' is not KEY=VALUE")),
            "{e:?}"
        );
    }
    // Parameters without a file to fill.
    let mut f = with(None, "Stage=prod");
    f.api_id = TextInput::new("abc123");
    let e = f.validate(&ok);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("give the template"), "{e:?}");
    // From the command line into the form and back.
    let args = TargetArgs {
        template: Some("t.yaml".into()),
        parameters: vec!["Stage=prod".into()],
        ..TargetArgs::default()
    };
    let f = FormState::from_args(&args);
    assert_eq!(f.parameters.text, "Stage=prod");
    assert_eq!(f.to_args(&args).parameters, vec!["Stage=prod"]);
}
