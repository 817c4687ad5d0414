//! `cis2-migrate init`: an annotated `migrate.toml` to edit.

/// The annotated template. It parses as it is (tested), so `cis2-migrate check` runs on a fresh file.
pub const TEMPLATE: &str = r#"# cis2-migrate: your app on CIS1 today and its planned CIS2 registration.
# Edit it, then run `cis2-migrate check --config migrate.toml`. Unknown keys are refused.

[app]
name = "My clinical app"
# Does the app sign prescriptions (EPS)? Signing moves to the Digital Signature Service.
prescribing = false

[cis1]
# The CIS1 attributes the app reads today. SSB RoleAssertion names: uid, cn, ssbSessionRoleUid,
# uniqueIdentifier, nhsJobRoleCode, nhsJobRole, nhsIdCode, o, nhsBusinessFunctions,
# nhsBusinessFunctionsCodes, nhsAreaOfWork, nhsAreaOfWorkCodes, nhsWorkGroups, nhsWorkGroupsCodes, ssbMode;
# GAS: sso_session_time; and "smartcard" if the app assumes every user signed in with a card.
attributes = ["uid", "cn", "ssbSessionRoleUid", "nhsJobRoleCode", "nhsIdCode", "nhsBusinessFunctionsCodes"]
# Role codes the app checks (S:G:R, as nhsJobRoleCode has them).
role_codes = ["S8000:G8000:R8003"]
# B-code activities the app checks (as nhsBusinessFunctionsCodes has them).
activities = ["B0264"]
# Workgroup codes the app checks (as nhsWorkGroupsCodes has them).
workgroups = []

[cis2]
# The redirect URI(s) to register: https (http only for a native app's loopback callback).
redirect_uris = ["https://app.example.nhs.uk/auth/callback"]
# Back-channel logout: how the app learns that a CIS2 session ended (and an Identity Agent card was removed).
backchannel_logout_uri = "https://app.example.nhs.uk/auth/backchannel-logout"
# private_key_jwt (preferred), client_secret_jwt, client_secret_post or client_secret_basic.
auth_method = "private_key_jwt"
# Where the app publishes its public keys (needed for private_key_jwt).
jwks_uri = "https://app.example.nhs.uk/.well-known/jwks.json"

# The app's smartcard users: one entry per card series and client software.
# series: 4, 5, 6 (deprecated), 8, 9 or 10; client: "identity_agent" or "smartcard_connect".
[[users.cards]]
series = 9
count = 100
client = "identity_agent"

[[users.cards]]
series = 10
count = 5
client = "smartcard_connect"

# When the app runs somewhere the conformance suite can reach: its rp.toml (`cis2-conformance init` writes
# one), relative to this file. The back-channel logout and role scenarios then run against it.
# [conformance]
# rp_config = "rp.toml"
"#;
