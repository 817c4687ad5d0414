//! The NHS Port Service's JSON (cis2.md §12.1), as plain Rust so it is tested natively.
//!
//! - `GET /PRS/ConnectPRService` → `{"statusCode": "200", "service": "CredentialManagement" | "IdentityAgent",
//!   "version": "…"}`. The real service is known to send `statusCode` only; `service` and `version` are the
//!   cis2-kit extension the mock IdP's virtual bridge sends. Without `service` the bridge is Credential
//!   Management, which installs the Port Service.
//! - `GET /PRS/GetPortNumber` → `{"portData": {"portNumber": N}}`.
//! - Either may answer `{"faultException": {"code": "PR30007", "message": "…"}}`; PascalCase
//!   (`FaultException.Code` / `.Message`) is accepted too.

/// The Port Service's published loopback ports.
pub(crate) const PORT_SERVICE_PORTS: [u16; 5] = [43487, 44213, 45031, 46478, 48853];

/// "Port redirection service is unavailable."
pub(crate) const FAULT_SERVICE_UNAVAILABLE: &str = "PR20002";
/// "Unable to find the CM process for the user" (Credential Management is not running).
pub(crate) const FAULT_CM_NOT_RUNNING: &str = "PR30007";

/// A string or a number (the old library compares `statusCode` with `"200"`; a number is tolerated).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Deserialize), serde(untagged))]
pub(crate) enum StrOrNum {
    Str(String),
    Num(f64),
}

impl StrOrNum {
    fn as_number(&self) -> Option<f64> {
        match self {
            // Integers only: float parsing would cost the browser build several KB for nothing.
            StrOrNum::Str(s) => s.trim().parse::<u32>().ok().map(f64::from),
            StrOrNum::Num(n) => Some(*n),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct FaultWire {
    #[cfg_attr(test, serde(default, alias = "Code"))]
    pub(crate) code: Option<StrOrNum>,
    #[cfg_attr(test, serde(default, alias = "Message"))]
    pub(crate) message: Option<String>,
}

/// A Port Service fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    /// `PR20002`, `PR30007`, …
    pub(crate) code: String,
    /// Human-readable text, as sent.
    pub(crate) message: String,
}

impl Fault {
    fn from_wire(w: FaultWire) -> Fault {
        let code = match w.code {
            Some(StrOrNum::Str(s)) => s,
            Some(StrOrNum::Num(n)) if n.fract() == 0.0 && n.abs() < 1e15 => {
                if n < 0.0 {
                    crate::text::cat(&["-", &crate::text::uint(n.abs() as u64)])
                } else {
                    crate::text::uint(n as u64)
                }
            }
            Some(StrOrNum::Num(_)) => String::new(),
            None => String::new(),
        };
        Fault {
            code,
            message: w.message.unwrap_or_default(),
        }
    }

    /// Whether the fault means the bridge's user process is not running (so access is blocked by that).
    pub(crate) fn means_not_running(&self) -> bool {
        self.code == FAULT_CM_NOT_RUNNING || self.code == FAULT_SERVICE_UNAVAILABLE
    }
}

/// Which bridge answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BridgeKind {
    /// NHS Credential Management (and its Port Service).
    CredentialManagement,
    /// The Identity Agent.
    IdentityAgent,
    /// Nothing usable.
    None,
}

impl BridgeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BridgeKind::CredentialManagement => "credentialManagement",
            BridgeKind::IdentityAgent => "identityAgent",
            BridgeKind::None => "none",
        }
    }
}

/// The body of `ConnectPRService`.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct ConnectWire {
    #[cfg_attr(test, serde(default, rename = "statusCode", alias = "StatusCode"))]
    pub(crate) status_code: Option<StrOrNum>,
    #[cfg_attr(test, serde(default, alias = "Service"))]
    pub(crate) service: Option<String>,
    #[cfg_attr(test, serde(default, alias = "Version"))]
    pub(crate) version: Option<String>,
    #[cfg_attr(test, serde(default, rename = "faultException", alias = "FaultException"))]
    pub(crate) fault: Option<FaultWire>,
}

/// What `ConnectPRService` told us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Connected {
    pub(crate) kind: BridgeKind,
    pub(crate) version: Option<String>,
}

/// Why a Port Service answer is not a success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PortServiceError {
    /// It answered with a fault.
    Fault(Fault),
    /// It answered something else (a `statusCode` other than 200, an unknown service, no port number).
    Unexpected(&'static str),
}

/// Interprets a `ConnectPRService` body.
pub(crate) fn interpret_connect(w: ConnectWire) -> Result<Connected, PortServiceError> {
    if let Some(f) = w.fault {
        return Err(PortServiceError::Fault(Fault::from_wire(f)));
    }
    if let Some(code) = &w.status_code
        && code.as_number() != Some(200.0)
    {
        return Err(PortServiceError::Unexpected("statusCode is not 200"));
    }
    let kind = match w.service.as_deref().map(normalise_service).as_deref() {
        Some("identityagent") => BridgeKind::IdentityAgent,
        Some("credentialmanagement") | None => BridgeKind::CredentialManagement,
        Some(_) => return Err(PortServiceError::Unexpected("unknown service")),
    };
    Ok(Connected {
        kind,
        version: w.version,
    })
}

fn normalise_service(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct PortDataWire {
    #[cfg_attr(test, serde(default, rename = "portNumber", alias = "PortNumber"))]
    pub(crate) port_number: Option<StrOrNum>,
}

/// The body of `GetPortNumber`.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct PortWire {
    #[cfg_attr(test, serde(default, rename = "portData", alias = "PortData"))]
    pub(crate) port_data: Option<PortDataWire>,
    #[cfg_attr(test, serde(default, rename = "faultException", alias = "FaultException"))]
    pub(crate) fault: Option<FaultWire>,
}

/// Interprets a `GetPortNumber` body: the per-user port Credential Management listens on.
pub(crate) fn interpret_port(w: PortWire) -> Result<u16, PortServiceError> {
    if let Some(f) = w.fault {
        return Err(PortServiceError::Fault(Fault::from_wire(f)));
    }
    let n = w
        .port_data
        .and_then(|d| d.port_number)
        .and_then(|n| n.as_number())
        .ok_or(PortServiceError::Unexpected("no portData.portNumber"))?;
    if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) {
        Ok(n as u16)
    } else {
        Err(PortServiceError::Unexpected("port out of range"))
    }
}

/// Reads the wire types from the objects `Response.json()` made (camelCase or PascalCase, as above).
pub(crate) mod from_js {
    use wasm_bindgen::JsValue;

    use super::{ConnectWire, FaultWire, PortDataWire, PortWire, StrOrNum};
    use crate::js::{absent, get, get_string};

    fn either(v: &JsValue, camel: &str, pascal: &str) -> JsValue {
        let x = get(v, camel);
        if absent(&x) { get(v, pascal) } else { x }
    }

    fn str_or_num(v: JsValue) -> Option<StrOrNum> {
        match (v.as_string(), v.as_f64()) {
            (Some(s), _) => Some(StrOrNum::Str(s)),
            (None, Some(n)) => Some(StrOrNum::Num(n)),
            _ => None,
        }
    }

    fn string(v: JsValue) -> Option<String> {
        v.as_string()
    }

    fn fault(v: &JsValue) -> Option<FaultWire> {
        let f = either(v, "faultException", "FaultException");
        (!absent(&f)).then(|| FaultWire {
            code: str_or_num(either(&f, "code", "Code")),
            message: string(either(&f, "message", "Message")),
        })
    }

    pub(crate) fn connect(v: &JsValue) -> ConnectWire {
        ConnectWire {
            status_code: str_or_num(either(v, "statusCode", "StatusCode")),
            service: string(either(v, "service", "Service")).or_else(|| get_string(v, "SERVICE")),
            version: string(either(v, "version", "Version")),
            fault: fault(v),
        }
    }

    pub(crate) fn port(v: &JsValue) -> PortWire {
        let data = either(v, "portData", "PortData");
        PortWire {
            port_data: (!absent(&data)).then(|| PortDataWire {
                port_number: str_or_num(either(&data, "portNumber", "PortNumber")),
            }),
            fault: fault(v),
        }
    }
}

#[cfg(test)]
mod tests;
