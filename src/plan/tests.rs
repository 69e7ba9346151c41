//! The plan's own tests: `--fix-format` and the config, the offline URL, `--resolve`.

mod fix_format_tests {
    use super::super::*;

    #[test]
    fn fix_format_flag_then_config_then_cli() {
        let mut config = Config::default();
        assert_eq!(fix_format(None, &config), Ok(Flavour::Cli));
        config.report.fix_format = Some("Terraform".into());
        assert_eq!(fix_format(None, &config), Ok(Flavour::Terraform));
        assert_eq!(fix_format(Some(Flavour::Sam), &config), Ok(Flavour::Sam));
        config.report.fix_format = Some("pulumi".into());
        let e = fix_format(None, &config).unwrap_err();
        assert!(
            e.to_string()
                .contains("use cli, cloudformation, sam, cdk or terraform"),
            "{e}"
        );
    }
}

mod offline_url_tests {
    use super::super::*;

    fn plan(args: TargetArgs) -> Plan {
        args.resolve(&Config::default()).expect("plan")
    }

    #[test]
    fn the_offline_url_takes_the_configurations_stage_id_and_region_where_the_user_named_none() {
        let p = plan(TargetArgs {
            template: Some("template.yaml".into()),
            path: Some("/orders".into()),
            origin: Some("https://app.example.com".into()),
            ..TargetArgs::default()
        });
        assert_eq!(
            p.target.url.as_str(),
            "https://api-id.execute-api.us-east-1.amazonaws.com/prod/orders"
        );
        // A SAM template's implicit stage is `Prod`; a template has no API id.
        assert_eq!(
            p.offline_url(None, None, Some("Prod")).map(String::from),
            Some("https://api-id.execute-api.us-east-1.amazonaws.com/Prod/orders".to_string())
        );
        // An export knows its id and region.
        assert_eq!(
            p.offline_url(Some("a1b2c3d4e5"), Some("eu-west-1"), Some("prod"))
                .map(String::from),
            Some("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders".to_string())
        );
        // Nothing new: no change.
        assert_eq!(p.offline_url(None, None, Some("prod")), None);
        // What the user named wins.
        let p = plan(TargetArgs {
            openapi: Some("export.json".into()),
            path: Some("/orders".into()),
            stage: Some("v2".into()),
            api_id: Some("zz9".into()),
            region: Some("ap-south-1".into()),
            origin: Some("https://app.example.com".into()),
            ..TargetArgs::default()
        });
        assert_eq!(
            p.offline_url(Some("a1b2c3d4e5"), Some("eu-west-1"), Some("prod")),
            None
        );
        // Live: the user's URL is the URL.
        let p = plan(TargetArgs {
            url: Some("https://x.example/prod/orders".into()),
            origin: Some("https://app.example.com".into()),
            ..TargetArgs::default()
        });
        assert_eq!(p.offline_url(Some("a1b2c3d4e5"), None, Some("Prod")), None);
    }
}

mod resolve_tests {
    use super::super::*;

    fn with(url: Option<&str>, resolve: &[&str]) -> Result<Plan, PlanError> {
        TargetArgs {
            url: url.map(str::to_string),
            path: url.is_none().then(|| "/items".to_string()),
            openapi: Some("export.json".into()),
            origin: Some("https://app.example.com".into()),
            resolve: resolve.iter().map(|r| r.to_string()).collect(),
            ..TargetArgs::default()
        }
        .resolve(&Config::default())
    }

    #[test]
    fn resolve_takes_curls_form_for_the_urls_host_and_port() {
        let p = with(
            Some("https://API.example.com/v1/items"),
            &["api.example.com:443:203.0.113.10"],
        )
        .unwrap();
        assert_eq!(
            p.resolve,
            [(
                "api.example.com".to_string(),
                "203.0.113.10".parse().unwrap()
            )]
        );
        let p = with(
            Some("http://api.example.com:8080/x"),
            &["api.example.com:8080:[::1]"],
        )
        .unwrap();
        assert_eq!(p.resolve[0].1, "::1".parse::<std::net::IpAddr>().unwrap());
        let err = |url: Option<&str>, r: &str| with(url, &[r]).unwrap_err().to_string();
        let url = Some("https://api.example.com/x");
        assert!(err(url, "other.example.com:443:127.0.0.1")
            .contains("the URL's host is api.example.com"));
        assert!(err(url, "api.example.com:80:127.0.0.1").contains("the URL's port is 443"));
        assert!(err(url, "api.example.com:443:nowhere").contains("is not an IP address"));
        assert!(err(url, "api.example.com").contains("give HOST:PORT:ADDR"));
        assert!(err(None, "api.example.com:443:127.0.0.1").contains("needs the URL"));
        // Every message starts with the flag and what was typed, control characters escaped.
        assert!(err(url, "a\u{1b}[31m:1:2").starts_with("--resolve 'a\\u{1b}[31m:1:2'"));
    }
}
