//! The RP's own private_key_jwt keys and their rollover (catalogue REL-16, CS-59).
//!
//! Rollover runs in two steps so the provider never sees an assertion signed by a key it cannot find:
//! 1. [`crate::Cis2Auth::stage_next_key`]: the next key is published in the RP JWKS next to the current one, but
//!    assertions are still signed with the current key.
//! 2. [`crate::Cis2Auth::rotate_keys`]: refused until the next key has been published at least `publish_lead`
//!    (default [`PROVIDER_KEY_CACHE`]: by then every provider cache of the RP JWKS holds it); then it signs, and
//!    the old key stays published for `retire_grace` (the same default) so nothing signed before the switch fails.
//!    "Published" counts from staging, when `/jwks` starts serving the key: not from whoever fetches it first.

use std::time::Duration;

use cis2_sdk::{JwkSet, SigningKey, UnixTime};

use crate::error::Error;

/// The longest a provider is expected to cache a client's JWKS: the default publish lead and retire grace.
pub(crate) const PROVIDER_KEY_CACHE: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub(crate) struct KeyState {
    pub(crate) current: SigningKey,
    /// The staged key and when it was staged (from then on `/jwks` serves it).
    next: Option<(SigningKey, UnixTime)>,
    /// The retired key and when it was retired.
    previous: Option<(SigningKey, UnixTime)>,
    publish_lead: Duration,
    retire_grace: Duration,
}

impl KeyState {
    pub(crate) fn new(current: SigningKey, publish_lead: Duration, retire_grace: Duration) -> Self {
        Self {
            current,
            next: None,
            previous: None,
            publish_lead,
            retire_grace,
        }
    }

    pub(crate) fn stage(&mut self, next: SigningKey, now: UnixTime) -> Result<(), Error> {
        if next.kid() == self.current.kid() {
            return Err(Error::Config("the next key has the current key's kid".into()));
        }
        self.next = Some((next, now));
        Ok(())
    }

    /// Promotes the staged key once it has been published long enough. Returns the new current key.
    pub(crate) fn rotate(&mut self, now: UnixTime) -> Result<SigningKey, Error> {
        let Some((_, published)) = &self.next else {
            return Err(Error::Config("no next key is staged".into()));
        };
        if now.duration_since(*published) < self.publish_lead {
            return Err(Error::Config(format!(
                "the next key has been published in the RP JWKS for {} s; rotate after {} s, when every provider \
                 cache holds it",
                now.duration_since(*published).as_secs(),
                self.publish_lead.as_secs()
            )));
        }
        let Some((next, _)) = self.next.take() else {
            return Err(Error::Config("no next key is staged".into()));
        };
        let old = std::mem::replace(&mut self.current, next);
        self.previous = Some((old, now));
        Ok(self.current.clone())
    }

    /// The public JWKS document (current, next, and the retired key within its grace). Never carries private
    /// members (the sdk's `Jwk::from_material` refuses them).
    pub(crate) fn publish(&mut self, now: UnixTime) -> Result<serde_json::Value, Error> {
        if self
            .previous
            .as_ref()
            .is_some_and(|(_, at)| now.duration_since(*at) > self.retire_grace)
        {
            self.previous = None;
        }
        let mut keys = vec![self.current.public_jwk().map_err(cis2_sdk::Error::from)?];
        if let Some((k, _)) = &self.next {
            keys.push(k.public_jwk().map_err(cis2_sdk::Error::from)?);
        }
        if let Some((k, _)) = &self.previous {
            keys.push(k.public_jwk().map_err(cis2_sdk::Error::from)?);
        }
        Ok(JwkSet::from_keys(keys).map_err(cis2_sdk::Error::from)?.to_json())
    }
}
