//! WebAuthn credentials as stored in SQLite and ceremonies in progress: the data types the shared state, the
//! WebAuthn room and the admin API all use (the ceremonies themselves are `crate::webauthn`).

use cis2_sdk::UnixTime;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication, PasskeyRegistration};

use crate::authenticators::AuthMethod;
use crate::cards::CardMode;

/// What kind of WebAuthn authenticator a credential is, which decides its assurance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CredentialKind {
    /// A FIDO2 security key or Windows Hello: AAL3.
    SecurityKey,
    /// A passkey: AAL2.
    Passkey,
    /// The AAL3 passkey (the NHS app's private beta, cis2.md §9.1): AAL3.
    PasskeyAal3,
}

impl CredentialKind {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "security_key" | "fido2" => Some(Self::SecurityKey),
            "passkey" => Some(Self::Passkey),
            "passkey_aal3" => Some(Self::PasskeyAal3),
            _ => None,
        }
    }

    pub(crate) fn method(self) -> AuthMethod {
        match self {
            Self::SecurityKey => AuthMethod::Fido2,
            Self::Passkey => AuthMethod::Passkey,
            Self::PasskeyAal3 => AuthMethod::PasskeyAal3,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::SecurityKey => "Security key or Windows Hello",
            Self::Passkey => "Passkey",
            Self::PasskeyAal3 => "AAL3 passkey",
        }
    }
}

/// A registered credential as stored in SQLite (`webauthn_credentials.doc`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredCredential {
    pub(crate) credential_id: String,
    pub(crate) uid: String,
    pub(crate) kind: CredentialKind,
    pub(crate) name: String,
    pub(crate) created_at: u64,
    #[serde(default)]
    pub(crate) last_used_at: Option<u64>,
    pub(crate) passkey: Passkey,
}

impl StoredCredential {
    /// The public view (admin API, manage page): never the key material.
    pub(crate) fn view(&self) -> Value {
        let m = self.kind.method();
        json!({
            "credential_id": self.credential_id,
            "uid": self.uid,
            "kind": self.kind,
            "name": self.name,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "aal": m.aal(),
            "amr": m.amr(CardMode::IdentityAgent),
        })
    }
}

/// A ceremony in progress (kept in memory, in [`Sessions`](crate::sessions::Sessions)).
#[derive(Debug)]
pub(crate) struct Ceremony {
    pub(crate) created: UnixTime,
    pub(crate) uid: String,
    pub(crate) kind: CredentialKind,
    pub(crate) state: CeremonyState,
}

#[derive(Debug)]
pub(crate) enum CeremonyState {
    Register {
        state: Box<PasskeyRegistration>,
        name: String,
    },
    Login {
        state: Box<PasskeyAuthentication>,
        interaction: String,
    },
}
