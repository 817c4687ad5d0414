//! Users (and their roles) and clients.

use axum::body::Bytes;
use axum::extract::{Path, State};

use super::json::{Res, created, no_content, ok, parse};
use super::redact;
use crate::clients::Client;
use crate::errors::AdminError;
use crate::logout::end_session;
use crate::state::{AppState, lock, read, write};
use crate::users::{User, check_role_uids, org};

pub(super) async fn list_users(State(st): State<AppState>) -> Res {
    ok(st.users().into_iter().map(redact::user).collect::<Vec<_>>())
}

pub(super) async fn get_user(State(st): State<AppState>, Path(uid): Path<String>) -> Res {
    ok(redact::user(st.user(&uid).ok_or(AdminError::NotFound("user"))?))
}

pub(super) async fn create_user(State(st): State<AppState>, body: Bytes) -> Res {
    let mut u: User = parse(&body)?;
    u.check_uids().map_err(AdminError::InvalidRequest)?;
    if st.user(&u.uid).is_some() {
        return Err(AdminError::Conflict("a user with this uid exists".into()));
    }
    redact::restore_user(&mut u, None)?;
    st.put_user(u.clone())?;
    created(redact::user(u))
}

pub(super) async fn put_user(State(st): State<AppState>, Path(uid): Path<String>, body: Bytes) -> Res {
    let mut u: User = parse(&body)?;
    if u.uid.is_empty() {
        u.uid = uid.clone();
    }
    if u.uid != uid {
        return Err(AdminError::InvalidRequest(
            "uid in the body differs from the path".into(),
        ));
    }
    u.check_uids().map_err(AdminError::InvalidRequest)?;
    redact::restore_user(&mut u, st.user(&uid).as_ref())?;
    st.put_user(u.clone())?;
    ok(redact::user(u))
}

pub(super) async fn delete_user(State(st): State<AppState>, Path(uid): Path<String>) -> Res {
    match st.0.store.delete_user(&uid) {
        Ok(true) => {
            write(&st.0.users).remove(&uid);
            let cookies: Vec<String> = lock(&st.0.sessions)
                .sso
                .values()
                .filter(|s| s.uid == uid)
                .map(|s| s.cookie.clone())
                .collect();
            for c in cookies {
                end_session(&st, &c, "admin");
            }
            no_content()
        }
        Ok(false) => Err(AdminError::NotFound("user")),
        Err(e) => Err(AdminError::Internal(e.to_string())),
    }
}

pub(super) async fn add_role(State(st): State<AppState>, Path(uid): Path<String>, body: Bytes) -> Res {
    let role: cis2_sdk::NrbacRole = parse(&body)?;
    check_role_uids(&role).map_err(AdminError::InvalidRequest)?;
    let mut u = st.user(&uid).ok_or(AdminError::NotFound("user"))?;
    u.roles.retain(|r| r.person_roleid != role.person_roleid);
    if !role.org_code.is_empty() && !u.orgs.iter().any(|o| o.org_code == role.org_code) {
        let name = role
            .extra
            .get("org_name")
            .and_then(|v| v.as_str())
            .unwrap_or(&role.org_code)
            .to_owned();
        u.orgs.push(org(&role.org_code, &name, Some(&role.person_orgid)));
    }
    u.roles.push(role);
    st.put_user(u.clone())?;
    ok(redact::user(u))
}

pub(super) async fn delete_role(
    State(st): State<AppState>,
    Path((uid, roleid)): Path<(String, String)>,
) -> Res {
    let mut u = st.user(&uid).ok_or(AdminError::NotFound("user"))?;
    let before = u.roles.len();
    u.roles.retain(|r| r.person_roleid != roleid);
    if before == u.roles.len() {
        return Err(AdminError::NotFound("role"));
    }
    st.put_user(u.clone())?;
    ok(redact::user(u))
}

pub(super) async fn list_clients(State(st): State<AppState>) -> Res {
    ok(read(&st.0.clients)
        .values()
        .cloned()
        .map(redact::client)
        .collect::<Vec<_>>())
}

pub(super) async fn get_client(State(st): State<AppState>, Path(id): Path<String>) -> Res {
    ok(redact::client(
        st.client(&id).ok_or(AdminError::NotFound("client"))?,
    ))
}

pub(super) async fn create_client(State(st): State<AppState>, body: Bytes) -> Res {
    let mut c: Client = parse(&body)?;
    if st.client(&c.client_id).is_some() {
        return Err(AdminError::Conflict("a client with this client_id exists".into()));
    }
    redact::restore_client(&mut c, None)?;
    st.put_client(c.clone())?;
    created(redact::client(c))
}

pub(super) async fn put_client(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Res {
    let mut c: Client = parse(&body)?;
    if c.client_id != id {
        return Err(AdminError::InvalidRequest(
            "client_id in the body differs from the path".into(),
        ));
    }
    redact::restore_client(&mut c, st.client(&id).as_ref())?;
    st.put_client(c.clone())?;
    ok(redact::client(c))
}

pub(super) async fn delete_client(State(st): State<AppState>, Path(id): Path<String>) -> Res {
    match st.0.store.delete_client(&id) {
        Ok(true) => {
            write(&st.0.clients).remove(&id);
            no_content()
        }
        Ok(false) => Err(AdminError::NotFound("client")),
        Err(e) => Err(AdminError::Internal(e.to_string())),
    }
}
