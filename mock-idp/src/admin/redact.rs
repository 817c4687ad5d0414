//! Secrets never leave the admin API (issue #10 §2): client secrets, users' passwords, passcodes and TOTP seeds,
//! and the logout tokens of back-channel deliveries answer as [`REDACTED`]. A body sent back with the marker in
//! such a field keeps the stored value, so GET → edit → PUT loses nothing. (Tests that need a delivered logout
//! token read it from [`AppState::deliveries`](crate::AppState::deliveries) in process.)

use crate::clients::Client;
use crate::deliveries::Delivery;
use crate::errors::AdminError;
use crate::users::User;

/// What a secret reads as in admin answers.
pub(crate) const REDACTED: &str = "[redacted]";

fn hide(s: &mut String) {
    if !s.is_empty() {
        REDACTED.clone_into(s);
    }
}

/// A client as the admin API shows it.
pub(super) fn client(mut c: Client) -> Client {
    if let Some(s) = c.client_secret.as_mut() {
        hide(s);
    }
    c
}

/// A user as the admin API shows it.
pub(super) fn user(mut u: User) -> User {
    hide(&mut u.password);
    hide(&mut u.passcode);
    hide(&mut u.totp_secret);
    u
}

/// A back-channel delivery as the admin API shows it.
pub(super) fn delivery(mut d: Delivery) -> Delivery {
    hide(&mut d.logout_token);
    d
}

fn keep(field: &'static str, incoming: &mut String, stored: Option<&String>) -> Result<(), AdminError> {
    if incoming != REDACTED {
        return Ok(());
    }
    match stored {
        Some(s) => {
            incoming.clone_from(s);
            Ok(())
        }
        None => Err(AdminError::InvalidRequest(format!(
            "{field} is \"{REDACTED}\", the marker the admin API shows instead of a secret; send the real value"
        ))),
    }
}

/// Fills redaction markers in an incoming client from the stored one.
pub(super) fn restore_client(incoming: &mut Client, stored: Option<&Client>) -> Result<(), AdminError> {
    match incoming.client_secret.as_mut() {
        Some(s) => keep("client_secret", s, stored.and_then(|c| c.client_secret.as_ref())),
        None => Ok(()),
    }
}

/// Fills redaction markers in an incoming user from the stored one.
pub(super) fn restore_user(incoming: &mut User, stored: Option<&User>) -> Result<(), AdminError> {
    keep("password", &mut incoming.password, stored.map(|u| &u.password))?;
    keep("passcode", &mut incoming.passcode, stored.map(|u| &u.passcode))?;
    keep(
        "totp_secret",
        &mut incoming.totp_secret,
        stored.map(|u| &u.totp_secret),
    )
}
