//! The corpus, part 4: bad templates (`--template`). Each is a usage error (exit 2) with a
//! clear message that names the file and, where the problem has one, the line — never a
//! panic or a hang.

use super::*;

/// Writes `text` to `dir/name` and adds the case: `check --template FILE …` exits 2 and says
/// each of `says`.
fn bad_template(dir: &Path, cases: &mut Vec<Case>, name: &str, text: &[u8], says: &[&str]) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let shown = path.to_string_lossy().into_owned();
    let mut case = Case::new(
        &format!("a bad template: {name}"),
        s(&[
            "check",
            "--template",
            &shown,
            "--path",
            "/items",
            "--origin",
            ORIGIN,
        ]),
    )
    .code(2)
    .contains("--template");
    for w in says {
        case = case.contains(&w.replace("FILE", &shown));
    }
    cases.push(case);
}

pub(super) fn templates(dir: &Path, cases: &mut Vec<Case>) {
    bad_template(
        dir,
        cases,
        "invalid.yaml",
        b"Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties: [1, 2\n",
        &["FILE:", "not valid YAML"],
    );
    bad_template(
        dir,
        cases,
        "unknown-intrinsic.yaml",
        b"Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: !Concat [a, b]\n",
        &["FILE:5:", "unknown intrinsic function Fn::Concat"],
    );
    bad_template(
        dir,
        cases,
        "ref-cycle.yaml",
        b"Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n  A:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n      ParentId: !Ref B\n      PathPart: a\n  B:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n      ParentId: !Ref A\n      PathPart: b\n",
        &["FILE:8:", "cycle", "A \u{2192} B \u{2192} A"],
    );
    bad_template(
        dir,
        cases,
        "condition-cycle.json",
        br#"{"Conditions": {"X": {"Condition": "Y"}, "Y": {"Condition": "X"}},
 "Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Condition": "X"}}}"#,
        &["FILE:1:", "cycle"],
    );
    let deep = format!(
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body: {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    bad_template(dir, cases, "deep.yaml", deep.as_bytes(), &["FILE:5:"]);
    // 10 MB: refused by size before it is parsed.
    let mut big = b"Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Description: \"".to_vec();
    big.resize(10 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\"\n");
    bad_template(dir, cases, "huge.yaml", &big, &["larger than"]);
    bad_template(
        dir,
        cases,
        "no-api.yaml",
        b"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
        &["defines no API Gateway API"],
    );
    bad_template(
        dir,
        cases,
        "two-apis.yaml",
        b"Resources:\n  A:\n    Type: AWS::ApiGateway::RestApi\n  B:\n    Type: AWS::ApiGateway::RestApi\n",
        &["A (AWS::ApiGateway::RestApi), B (AWS::ApiGateway::RestApi)", "--api-id"],
    );
    bad_template(
        dir,
        cases,
        "terraform-plan.json",
        br#"{"format_version": "1.2", "planned_values": {"root_module": {}}}"#,
        &["Terraform plan"],
    );
    bad_template(
        dir,
        cases,
        "not-utf8.yaml",
        b"Resources:\n  A: \xff\xfe\n",
        &["FILE"],
    );
    bad_template(
        dir,
        cases,
        "dangling-method.yaml",
        b"Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref Nowhere\n      HttpMethod: GET\n",
        &["FILE:8:", "ResourceId"],
    );
    // A stage the template does not define (SAM's implicit API has `Prod`, not `prod`).
    let implicit = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates/sam-options-missing.yaml")
        .to_string_lossy()
        .into_owned();
    cases.push(
        Case::new(
            "--stage that the template does not define",
            s(&[
                "check",
                "--template",
                &implicit,
                "--stage",
                "prod",
                "--path",
                "/orders",
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("--stage prod")
        .contains("its stages: Prod"),
    );
    // A --parameter the template does not declare, and one that is not KEY=VALUE.
    let good = dir.join("good.yaml");
    std::fs::write(
        &good,
        "Parameters:\n  Origin:\n    Type: String\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n",
    )
    .unwrap();
    let good = good.to_string_lossy().into_owned();
    for (p, says) in [
        ("Orign=x", "declares no such parameter"),
        ("novalue", "give KEY=VALUE"),
    ] {
        cases.push(
            Case::new(
                &format!("--parameter {p}"),
                s(&[
                    "check",
                    "--template",
                    &good,
                    "--parameter",
                    p,
                    "--path",
                    "/",
                    "--origin",
                    ORIGIN,
                ]),
            )
            .code(2)
            .contains(says),
        );
    }
}
