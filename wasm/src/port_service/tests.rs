use super::*;

fn connect(json: &str) -> Result<Connected, PortServiceError> {
    interpret_connect(serde_json::from_str(json).unwrap())
}

fn port(json: &str) -> Result<u16, PortServiceError> {
    interpret_port(serde_json::from_str(json).unwrap())
}

#[test]
fn connect_kinds() {
    let cm = connect(r#"{"statusCode":"200"}"#).unwrap();
    assert_eq!(cm.kind, BridgeKind::CredentialManagement);
    assert_eq!(cm.version, None);
    let ia = connect(r#"{"statusCode":"200","service":"IdentityAgent","version":"2.4.6.0"}"#).unwrap();
    assert_eq!(ia.kind, BridgeKind::IdentityAgent);
    assert_eq!(ia.version.as_deref(), Some("2.4.6.0"));
    let cm = connect(r#"{"statusCode":200,"service":"credential_management"}"#).unwrap();
    assert_eq!(cm.kind, BridgeKind::CredentialManagement);
    assert_eq!(connect("{}").unwrap().kind, BridgeKind::CredentialManagement);
    assert_eq!(BridgeKind::IdentityAgent.as_str(), "identityAgent");
}

#[test]
fn connect_failures() {
    assert!(matches!(
        connect(r#"{"statusCode":"500"}"#),
        Err(PortServiceError::Unexpected(_))
    ));
    assert!(matches!(
        connect(r#"{"statusCode":"200","service":"Printer"}"#),
        Err(PortServiceError::Unexpected(_))
    ));
    let Err(PortServiceError::Fault(f)) = connect(
        r#"{"faultException":{"code":"PR20002","message":"Port redirection service is unavailable"}}"#,
    ) else {
        panic!()
    };
    assert_eq!(f.code, FAULT_SERVICE_UNAVAILABLE);
    assert!(f.means_not_running());
}

#[test]
fn port_number() {
    assert_eq!(port(r#"{"portData":{"portNumber":43485}}"#), Ok(43485));
    assert_eq!(port(r#"{"portData":{"portNumber":"43485"}}"#), Ok(43485));
    assert_eq!(port(r#"{"PortData":{"PortNumber":50000}}"#), Ok(50000));
    assert!(matches!(
        port(r#"{"portData":{"portNumber":70000}}"#),
        Err(PortServiceError::Unexpected(_))
    ));
    assert!(matches!(
        port(r#"{"portData":{"portNumber":1.5}}"#),
        Err(PortServiceError::Unexpected(_))
    ));
    assert!(matches!(
        port(r#"{"portData":{}}"#),
        Err(PortServiceError::Unexpected(_))
    ));
    assert!(matches!(port("{}"), Err(PortServiceError::Unexpected(_))));
}

#[test]
fn faults_in_both_casings() {
    let want = Fault {
        code: FAULT_CM_NOT_RUNNING.into(),
        message: "Unable to find the CM process".into(),
    };
    let camel = r#"{"faultException":{"code":"PR30007","message":"Unable to find the CM process"}}"#;
    let pascal = r#"{"FaultException":{"Code":"PR30007","Message":"Unable to find the CM process"}}"#;
    for body in [camel, pascal] {
        assert_eq!(port(body), Err(PortServiceError::Fault(want.clone())), "{body}");
    }
    let Err(PortServiceError::Fault(f)) = port(r#"{"faultException":{"code":"PR99999"}}"#) else {
        panic!()
    };
    assert!(!f.means_not_running());
    assert_eq!(f.message, "");
}
