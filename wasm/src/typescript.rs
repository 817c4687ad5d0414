//! TypeScript declarations for the plain objects the API takes and returns (classes get theirs from
//! wasm-bindgen). Kept next to the Rust that reads and builds those objects.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Stable `Cis2Error.code` values. */
export type Cis2ErrorCode =
  | "invalid_options" | "invalid_return_to" | "network" | "http" | "bad_response" | "not_supported"
  | "cancelled" | "timed_out" | "invalid_state" | "aborted" | "webauthn" | "invalid_base64url" | "no_window";

/** Why a session ended. Newer backends may send other strings. */
export type SessionEndedReason =
  | "signed_out" | "backchannel_logout" | "smartcard_removed" | "idle_timeout" | "expired" | (string & {});

export interface Cis2BrowserOptions {
  /** Where the backend mounts its routes (default "/auth"). */
  baseUrl?: string;
  /** Seconds before the backend's idle timeout at which `onIdleWarning` fires (default 120). */
  idleWarningSecs?: number;
  /** Ports `discoverBridge()` probes by default (default: the Port Service's five published ports). */
  bridgePorts?: number[];
  /** BroadcastChannel name shared by this app's tabs (default "cis2-session"). */
  channelName?: string;
  /** Watch keyboard/pointer activity for the idle warning (default true). */
  trackActivity?: boolean;
  /** Follow the backend's event stream after `start()` (default true). */
  events?: boolean;
  /** Event-stream reconnect backoff: first ceiling and largest ceiling in ms (defaults 1000 and 30000). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

export interface ReturnToOptions {
  /** A same-origin path such as "/patients?id=1" (default: the current path). */
  returnTo?: string;
}

export interface SignInOptions extends ReturnToOptions {
  /** ACR value(s), e.g. "AAL3_ANY" or ["AAL2_OR_AAL3_ANY"]. */
  acr?: string | string[];
  /** "login" forces CIS2 to authenticate again. */
  prompt?: "login";
  /** Maximum age of the CIS2 authentication, in seconds. */
  maxAge?: number;
  /** Ask CIS2 to let the user pick a role (`select_role=true`). */
  selectedRole?: boolean;
}

export interface SignOutOptions {
  /** Also end the CIS2 session (default false). */
  endSession?: boolean;
  /** Go to the backend's `end_session_url` when it returns one (default true). */
  redirect?: boolean;
}

export interface SignOutResult {
  signedOut: boolean;
  endSessionUrl: string | null;
}

/** A live session. Deadlines are Unix seconds on the server's clock; `null` when the backend did not say. */
export interface Session {
  user: SessionUser;
  createdAt: number | null;
  expiresAt: number | null;
  idleExpiresAt: number | null;
  idleTimeoutSecs: number | null;
  absoluteTimeoutSecs: number | null;
}

/** One national RBAC role profile (`nhsid_nrbac_roles` element), with values derived by cis2-sdk. */
export interface Role {
  personRoleId: string;
  personOrgId: string;
  orgCode: string;
  /** `Sxxxx:Gxxxx:Rxxxx`. */
  roleCode: string;
  /** `"Clinical":"Clinical Provision":"Nurse Access Role"`. */
  roleName: string;
  /** `Nurse Access Role`. */
  roleTitle: string;
  /** `R8001`, or null when the role code lacks the S:G:R shape. */
  jobRole: string | null;
  roleCodeParts: RoleCodeParts | null;
  activityCodes: string[];
  activities: string[];
  workgroups: string[];
  workgroupCodes: string[];
}

export interface Organisation {
  orgCode: string;
  orgName: string;
}

export interface RoleCodeParts {
  staffGroup: string;
  jobGroup: string;
  jobRole: string;
}

export type BridgeKind = "credentialManagement" | "identityAgent" | "none";
export type BridgeBlocker = "cors" | "localNetworkAccess" | "notRunning";
export type BridgeProbeOutcome =
  | "ok" | "cors" | "notListening" | "timeout" | "httpError" | "badResponse" | "fault" | "skipped";

export interface BridgeDiscoveryOptions {
  /** Ports to probe (default 43487, 44213, 45031, 46478, 48853). */
  ports?: number[];
  /** Overall time limit in ms (default 1000). */
  timeoutMs?: number;
  /** Loopback host name (default "localhost"). */
  host?: string;
  /** "http" (default) or "https". */
  scheme?: "http" | "https";
}

export interface PortServiceFault {
  code: string;
  message: string;
}

export interface BridgeDiscovery {
  kind: BridgeKind;
  /** The per-user Credential Management port from /PRS/GetPortNumber. */
  port: number | null;
  /** The Port Service port that answered (or that CORS blocked). */
  portServicePort: number | null;
  blockedBy: BridgeBlocker | null;
  fault: PortServiceFault | null;
  version: string | null;
  elapsedMs: number;
  probes: { port: number; outcome: BridgeProbeOutcome; status?: number }[];
}

export interface CardEvent {
  type: "card_inserted" | "card_removed";
  reader: string | null;
  cardId: string | null;
  uid: string | null;
}

export interface CardEventOptions {
  host?: string;
  scheme?: "http" | "https";
}

export interface WatchSmartcardOptions extends CardEventOptions {
  /** Also sign the backend session out when the card is removed (default true). */
  signOut?: boolean;
}

export type Base64UrlString = string;

export interface CredentialDescriptorJSON {
  type: "public-key";
  id: Base64UrlString;
  transports?: string[];
}

export interface CreationOptionsJSON {
  publicKey: {
    rp: { id?: string; name: string };
    user: { id: Base64UrlString; name: string; displayName: string };
    challenge: Base64UrlString;
    pubKeyCredParams: { type: "public-key"; alg: number }[];
    timeout?: number;
    excludeCredentials?: CredentialDescriptorJSON[];
    authenticatorSelection?: Record<string, unknown>;
    attestation?: string;
    extensions?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface RequestOptionsJSON {
  publicKey: {
    challenge: Base64UrlString;
    timeout?: number;
    rpId?: string;
    allowCredentials?: CredentialDescriptorJSON[];
    userVerification?: string;
    extensions?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface CeremonyOptions {
  /** Passkey autofill (`mediation: "conditional"`), for `getAssertion` only. */
  conditional?: boolean;
  /** Use the browser's JSON helpers when present (default true); false forces this package's conversion. */
  useNativeJson?: boolean;
  signal?: AbortSignal;
}

/** webauthn-rs-proto `RegisterPublicKeyCredential`. */
export interface RegistrationResponseJSON {
  id: string;
  rawId: Base64UrlString;
  type: string;
  response: { attestationObject: Base64UrlString; clientDataJSON: Base64UrlString; transports?: string[] };
  extensions: Record<string, never>;
}

/** webauthn-rs-proto `PublicKeyCredential`. */
export interface AuthenticationResponseJSON {
  id: string;
  rawId: Base64UrlString;
  type: string;
  response: {
    authenticatorData: Base64UrlString;
    clientDataJSON: Base64UrlString;
    signature: Base64UrlString;
    userHandle: Base64UrlString | null;
  };
  extensions: Record<string, never>;
}
"#;

#[cfg(test)]
mod tests {
    /// The `SessionEndedReason` union names exactly the contract's reasons (`cis2_sdk::bff::EndReason`).
    #[test]
    fn session_ended_reason_lists_the_contract_reasons() {
        // The macro consumes the constant, so read the declarations from this file's text.
        let text = include_str!("typescript.rs");
        let start = text.find("export type SessionEndedReason =").unwrap();
        let decl = &text[start..];
        let decl = &decl[..decl.find(';').unwrap()];
        let mut named: Vec<&str> = decl.split('"').skip(1).step_by(2).collect();
        let mut want: Vec<&str> = cis2_sdk::bff::EndReason::ALL.iter().map(|r| r.as_str()).collect();
        named.sort_unstable();
        want.sort_unstable();
        assert_eq!(named, want);
    }
}
