//! Server-side state shared by every RP instance: sessions with their `sid`/`sub` indexes, pending logins, the
//! replay set and the session-ended event channel.
//!
//! # Why not tower-sessions
//! tower-sessions models one cookie mapped to one record loaded by id. A CIS2 relying party also needs to find
//! sessions by `sid` and by `sub` (back-channel logout arrives without the browser's cookie, BCL §2.7), a shared
//! `SET NX EX` replay set for logout-token `jti`s (BCL-04, REL-15), pending logins keyed by `state` that any
//! instance can consume atomically (FLOW-02, REL-10, REL-12), and a pub/sub channel that tells browsers on every
//! instance that their session ended (REL-13). Its `SessionStore` trait (create/save/load/delete by id) carries none
//! of these, and its middleware would load a session on every request, including the back-channel call that has
//! none. So one small trait, [`SessionBackend`], covers all of it, with an in-memory and a Redis implementation;
//! the cookie stays an opaque id, as in tower-sessions.

use std::sync::Arc;

mod backend;
mod memory;
mod pending;
mod redis;

#[cfg(feature = "cis1")]
pub use backend::Cis1Link;
pub(crate) use backend::hash_key;
pub use backend::{
    EXPIRED_GRACE, EndReason, PendingLimits, SessionBackend, SessionEvent, SessionRecord, SignInPath,
    StoreError,
};
pub use memory::MemoryBackend;
pub use redis::RedisBackend;

/// The session store handle the builder takes: in-memory (default) or Redis, or any [`SessionBackend`].
/// Clones share the same store; two `Cis2Auth`s given clones of one store behave as two instances.
#[derive(Clone, Debug)]
pub struct SessionStore(Arc<dyn SessionBackend>);

impl SessionStore {
    /// An in-process store: sessions vanish on restart and are not shared between processes.
    pub fn memory() -> Self {
        Self(Arc::new(MemoryBackend::default()))
    }

    /// A Redis store (`redis://host:port/db`), shared by every instance that points at it. Connects and
    /// subscribes to the event channel before returning.
    pub async fn redis(url: &str) -> Result<Self, StoreError> {
        Ok(Self(Arc::new(RedisBackend::connect(url, "cis2:").await?)))
    }

    /// As [`Self::redis`], with a key prefix (for several applications on one Redis).
    pub async fn redis_with_prefix(url: &str, prefix: &str) -> Result<Self, StoreError> {
        Ok(Self(Arc::new(RedisBackend::connect(url, prefix).await?)))
    }

    /// A store over your own backend.
    pub fn from_backend(backend: Arc<dyn SessionBackend>) -> Self {
        Self(backend)
    }

    /// The backend.
    pub fn backend(&self) -> &dyn SessionBackend {
        &*self.0
    }
}

impl Default for SessionStore {
    fn default() -> Self {
        Self::memory()
    }
}
