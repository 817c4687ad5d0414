//! Durable state in embedded SQLite (`<data_dir>/mock-idp.sqlite3`): users, clients, signing keys and
//! registered WebAuthn credentials. Rows hold JSON documents, so adding a field needs no migration.
//! Sessions, codes and tokens stay in memory.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A storage failure (message only: SQLite errors stay out of the public API).
#[derive(Debug)]
pub(crate) struct StoreError(pub(crate) String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// A persisted signing key.
#[derive(Debug, Clone)]
pub(crate) struct StoredKey {
    pub(crate) kid: String,
    pub(crate) alg: String,
    pub(crate) pem: String,
    pub(crate) created_at: u64,
    /// `None` for the active key; for a rotated-out key, when it leaves the JWKS.
    pub(crate) retired_until: Option<u64>,
}

/// The SQLite handle.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (uid TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kid TEXT NOT NULL UNIQUE, alg TEXT NOT NULL, pem TEXT NOT NULL,
    created_at INTEGER NOT NULL, retired_until INTEGER
);
CREATE TABLE IF NOT EXISTS webauthn_credentials (credential_id TEXT PRIMARY KEY, uid TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

impl Store {
    /// Opens (creating) the database in `data_dir`, or an in-memory one.
    pub(crate) fn open(data_dir: Option<&Path>) -> Result<Self, StoreError> {
        let conn = match data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
                Connection::open(dir.join("mock-idp.sqlite3")).map_err(err)?
            }
            None => Connection::open_in_memory().map_err(err)?,
        };
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn).map_err(err)
    }

    fn all_docs<T: DeserializeOwned>(&self, table: &str) -> Result<Vec<T>, StoreError> {
        let docs: Vec<String> = self.with(|c| {
            let mut st = c.prepare(&format!("SELECT doc FROM {table} ORDER BY rowid"))?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect()
        })?;
        docs.iter()
            .map(|d| serde_json::from_str(d).map_err(err))
            .collect()
    }

    fn put_doc(&self, table: &str, key_col: &str, key: &str, doc: &impl Serialize) -> Result<(), StoreError> {
        let json = serde_json::to_string(doc).map_err(err)?;
        self.with(|c| {
            c.execute(
                &format!("INSERT INTO {table} ({key_col}, doc) VALUES (?1, ?2) ON CONFLICT({key_col}) DO UPDATE SET doc = excluded.doc"),
                params![key, json],
            )
            .map(|_| ())
        })
    }

    fn delete_doc(&self, table: &str, key_col: &str, key: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            c.execute(&format!("DELETE FROM {table} WHERE {key_col} = ?1"), params![key])
                .map(|n| n > 0)
        })
    }

    /// Whether this database has been seeded before.
    pub(crate) fn seeded(&self) -> Result<bool, StoreError> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = 'seeded'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
        })
        .map(|v| v.is_some())
    }

    pub(crate) fn mark_seeded(&self) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', '1')",
                [],
            )
            .map(|_| ())
        })
    }

    pub(crate) fn users(&self) -> Result<Vec<crate::users::User>, StoreError> {
        self.all_docs("users")
    }

    pub(crate) fn put_user(&self, u: &crate::users::User) -> Result<(), StoreError> {
        self.put_doc("users", "uid", &u.uid, u)
    }

    pub(crate) fn delete_user(&self, uid: &str) -> Result<bool, StoreError> {
        self.delete_doc("users", "uid", uid)
    }

    pub(crate) fn clients(&self) -> Result<Vec<crate::clients::Client>, StoreError> {
        self.all_docs("clients")
    }

    pub(crate) fn put_client(&self, c: &crate::clients::Client) -> Result<(), StoreError> {
        self.put_doc("clients", "client_id", &c.client_id, c)
    }

    pub(crate) fn delete_client(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_doc("clients", "client_id", id)
    }

    /// Registered WebAuthn credentials (JSON documents owned by the WebAuthn module).
    #[allow(dead_code)]
    pub(crate) fn credentials(&self) -> Result<Vec<serde_json::Value>, StoreError> {
        self.all_docs("webauthn_credentials")
    }

    /// Stores a WebAuthn credential document.
    #[allow(dead_code)] // used by the WebAuthn module (follow-up)
    pub(crate) fn put_credential(
        &self,
        credential_id: &str,
        uid: &str,
        doc: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(doc).map_err(err)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO webauthn_credentials (credential_id, uid, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT(credential_id) DO UPDATE SET uid = excluded.uid, doc = excluded.doc",
                params![credential_id, uid, json],
            )
            .map(|_| ())
        })
    }

    /// Deletes a WebAuthn credential.
    #[allow(dead_code)] // used by the WebAuthn module (follow-up)
    pub(crate) fn delete_credential(&self, credential_id: &str) -> Result<bool, StoreError> {
        self.delete_doc("webauthn_credentials", "credential_id", credential_id)
    }

    pub(crate) fn keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT kid, alg, pem, created_at, retired_until FROM signing_keys ORDER BY seq")?;
            let rows = st.query_map([], |r| {
                Ok(StoredKey {
                    kid: r.get(0)?,
                    alg: r.get(1)?,
                    pem: r.get(2)?,
                    created_at: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                    retired_until: r.get::<_, Option<i64>>(4)?.map(|v| v.try_into().unwrap_or(0)),
                })
            })?;
            rows.collect()
        })
    }

    /// Adds a key as the active one, retiring the previous active key until `retire_until`.
    pub(crate) fn add_active_key(&self, k: &StoredKey, retire_until: u64) -> Result<(), StoreError> {
        let created = i64::try_from(k.created_at).unwrap_or(i64::MAX);
        let until = i64::try_from(retire_until).unwrap_or(i64::MAX);
        self.with(|c| {
            c.execute("UPDATE signing_keys SET retired_until = ?1 WHERE retired_until IS NULL", params![until])?;
            c.execute(
                "INSERT INTO signing_keys (kid, alg, pem, created_at, retired_until) VALUES (?1, ?2, ?3, ?4, NULL)",
                params![k.kid, k.alg, k.pem, created],
            )
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_credentials_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(Some(dir.path())).unwrap();
            s.put_credential("cred-1", "656005750108", &serde_json::json!({"cred": "x"}))
                .unwrap();
            s.put_user(&crate::seeds::seed_users()[0]).unwrap();
            s.mark_seeded().unwrap();
        }
        let s = Store::open(Some(dir.path())).unwrap();
        assert!(s.seeded().unwrap());
        assert_eq!(s.credentials().unwrap(), vec![serde_json::json!({"cred": "x"})]);
        assert_eq!(s.users().unwrap()[0].uid, "656005750108");
        assert!(s.delete_credential("cred-1").unwrap());
        assert!(s.credentials().unwrap().is_empty());
    }
}
