//! Builds what the mock issues from the sdk's own claim types (so issuer and validator agree on shapes) and
//! applies the per-client quirks; `crate::signing` then applies the armed faults and signs.

use cis2_sdk::{IdTokenClaims, UserInfo, b64url_encode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::clients::{Client, Quirks};
use crate::sessions::CodeGrant;
use crate::state::{AppState, lock};
use crate::users::{User, org};

/// Left half of SHA-256, base64url (`at_hash`, `s_hash` for RS256, OIDC Core §3.1.3.6).
fn half_hash(v: &str) -> String {
    let d = Sha256::digest(v.as_bytes());
    b64url_encode(d.get(..16).unwrap_or_default())
}

/// The ID token claims for a code exchange.
pub(crate) fn id_token(
    st: &AppState,
    g: &CodeGrant,
    user: &User,
    client: &Client,
    access_token: &str,
) -> Result<Map<String, Value>, String> {
    let now = st.0.clock.now().as_secs();
    let mode = lock(&st.0.cards).mode();
    let mut doc = json!({
        "iss": st.issuer(),
        "sub": user.uid,
        "aud": client.client_id,
        "azp": client.client_id,
        "exp": now.saturating_add(st.0.config.id_token_lifetime_secs),
        "iat": now,
        "auth_time": g.auth_time.as_secs(),
        "acr": g.acr,
        "amr": g.method.amr(mode),
        "sid": g.sid,
        "id_assurance_level": user.id_assurance_level.to_string(),
        "authentication_assurance_level": g.method.aal().to_string(),
        "at_hash": half_hash(access_token),
        "auditTrackingId": format!("{}-{}", random_token(&mut OsRng, 16), now % 10_000_000),
        "tokenName": "id_token",
        "tokenType": "JWTToken",
        "realm": crate::realm::current().name,
        "org.forgerock.openidconnect.ops": random_token(&mut OsRng, 20),
    });
    if let Some(obj) = doc.as_object_mut() {
        if let Some(n) = &g.req.nonce {
            obj.insert("nonce".into(), n.clone().into());
        }
        if let Some(s) = &g.req.state {
            obj.insert("s_hash".into(), half_hash(s).into());
        }
        if let Some(r) = &g.selected_roleid {
            obj.insert("selected_roleid".into(), r.clone().into());
        }
    }
    // Through the sdk type and back: the shape is the one the sdk parses.
    let typed: IdTokenClaims = serde_json::from_value(doc).map_err(|e| format!("id token claims: {e}"))?;
    let mut map = to_map(&typed)?;
    quirks(&mut map, &client.quirks);
    Ok(map)
}

/// The userinfo claims released by `scopes`.
pub(crate) fn userinfo(
    user: &User,
    scopes: &[String],
    selected_roleid: Option<&str>,
    client: &Client,
) -> Result<Map<String, Value>, String> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut u = UserInfo::default();
    u.sub = user.uid.clone();
    if has("profile") {
        u.name = Some(user.name());
        u.given_name = Some(user.given_name.clone());
        u.family_name = Some(user.family_name.clone());
        u.uid = Some(user.uid.clone());
    }
    if has("email") {
        u.email = user.email.clone();
    }
    if has("nhsperson") {
        u.nhsid_useruid = Some(user.uid.clone());
        u.title = user.title.clone();
        u.idassurancelevel = Some(cis2_sdk::AssuranceLevel(user.id_assurance_level));
        let initials: String = [&user.given_name, user.middle_names.as_deref().unwrap_or("")]
            .iter()
            .filter_map(|n| n.chars().next())
            .collect();
        u.extra.insert("initials".into(), initials.into());
        if let Some(m) = &user.middle_names {
            u.extra.insert("middle_names".into(), m.clone().into());
        }
        u.extra.insert("display_name".into(), user.name().into());
    }
    if has("associatedorgs") {
        u.nhsid_user_orgs = user
            .orgs
            .iter()
            .map(|o| org(&o.org_code, &o.org_name, None))
            .collect();
        u.nhsid_org_roles = user.orgs.clone();
    }
    if has("nationalrbacaccess") {
        u.nhsid_nrbac_roles = user.roles.clone();
    }
    if has("organisationalmemberships") {
        u.nhsid_org_memberships = user.org_memberships.clone();
    }
    if has("professionalmemberships") {
        for (k, v) in &user.professional_ids {
            u.extra.insert(k.clone(), v.clone());
        }
    }
    if has("selectedrole") {
        u.selected_roleid = selected_roleid.map(str::to_owned);
    }
    let mut map = to_map(&u)?;
    let mut q = client.quirks.clone();
    q.single_object_lists |= user.single_object_lists;
    quirks(&mut map, &q);
    Ok(map)
}

fn to_map<T: serde::Serialize>(v: &T) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(v).map_err(|e| e.to_string())? {
        Value::Object(m) => Ok(m),
        _ => Err("claims are not an object".into()),
    }
}

/// Applies the per-client shape quirks.
fn quirks(map: &mut Map<String, Value>, q: &Quirks) {
    if q.levels_as_integer {
        for k in [
            "id_assurance_level",
            "authentication_assurance_level",
            "idassurancelevel",
        ] {
            if let Some(Value::String(s)) = map.get(k)
                && let Ok(n) = s.parse::<u64>()
            {
                map.insert(k.into(), n.into());
            }
        }
    }
    if q.single_object_lists {
        for k in [
            "nhsid_nrbac_roles",
            "nhsid_user_orgs",
            "nhsid_org_roles",
            "nhsid_org_memberships",
        ] {
            if let Some(Value::Array(items)) = map.get(k)
                && items.len() == 1
                && let Some(one) = items.first().cloned()
            {
                map.insert(k.into(), one);
            }
        }
    }
}
