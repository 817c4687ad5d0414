//! ID-token validation. The correct path is the sdk's [`TokenValidator`]. When it refuses a token for a
//! reason that an enabled defect excuses, the RP falls back to its own hand-written checks, in which only that
//! defect's check is relaxed, so every other fault is still refused.

use std::time::Duration;

use cis2_sdk::{
    AccessToken, ClientId, Crypto, IdTokenExpectations, IssuerUrl, JwkSet, Nonce, TokenError, TokenValidator,
    ValidationPolicy,
};
use serde_json::{Map, Value};

use super::Defect;
use super::state::Rp;

/// Clock leeway for every time check.
pub(crate) const LEEWAY_SECS: u64 = 30;
/// How old an ID token may be (by `iat`), as the sdk's default.
pub(crate) const ID_TOKEN_MAX_AGE_SECS: u64 = 600;

/// What one sign-in asked for.
#[derive(Debug)]
pub(crate) struct Expect<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) acr_values: &'a [String],
    /// The access token from the same response (for `at_hash`).
    pub(crate) access_token: &'a str,
}

/// A decoded but unverified token: header and claims.
pub(crate) type Decoded = (Map<String, Value>, Map<String, Value>);

/// Splits a compact JWS and decodes header and payload without verifying anything (the way a hand-rolled
/// decoder does: it takes `alg: none` tokens with an empty signature too).
pub(crate) fn decode_unverified(token: &str) -> Result<Decoded, String> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err("not a compact JWS".into());
    };
    let object = |seg: &str| -> Result<Map<String, Value>, String> {
        let bytes = cis2_sdk::b64url_decode(seg)?;
        match serde_json::from_slice(&bytes).map_err(|e| e.to_string())? {
            Value::Object(m) => Ok(m),
            _ => Err("not a JSON object".into()),
        }
    };
    Ok((object(h)?, object(p)?))
}

/// Whether the header says `alg: none` (any case).
pub(crate) fn is_alg_none(header: &Map<String, Value>) -> bool {
    header
        .get("alg")
        .and_then(Value::as_str)
        .is_some_and(|a| a.eq_ignore_ascii_case("none"))
}

impl Rp {
    /// The sdk validator for this RP (RS256 only, 30 s leeway, strict).
    pub(crate) fn validator(&self) -> Result<TokenValidator, String> {
        let issuer = IssuerUrl::new(self.cfg.issuer.clone()).map_err(|e| e.to_string())?;
        let client = ClientId::new(self.cfg.client_id.clone()).map_err(|e| e.to_string())?;
        let policy = ValidationPolicy::new(Crypto::rust_crypto()).leeway(Duration::from_secs(LEEWAY_SECS));
        Ok(TokenValidator::new(issuer, client, policy))
    }

    /// Which enabled defect, if any, excuses this sdk refusal.
    fn excuse(&self, e: &TokenError) -> Option<Defect> {
        let d = match e {
            TokenError::InvalidSignature => Defect::SignatureNotVerified,
            TokenError::IssuerMismatch { .. } => Defect::IssuerNormalised,
            TokenError::AudienceMismatch { .. }
            | TokenError::UntrustedAudience { .. }
            | TokenError::AuthorizedPartyMismatch { .. } => Defect::AnyAudAccepted,
            TokenError::Expired { .. } | TokenError::IssuedTooLongAgo { .. } => Defect::ExpIgnored,
            TokenError::MissingClaim { claim: "iat" } => Defect::IatMissingAccepted,
            TokenError::NonceMismatch { .. } => Defect::NonceNotChecked,
            _ => return None,
        };
        self.has(d).then_some(d)
    }

    /// Validates an ID token; returns its claims.
    pub(crate) fn validate_id_token(
        &self,
        token: &str,
        jwks: &JwkSet,
        expect: &Expect<'_>,
        now: u64,
    ) -> Result<Map<String, Value>, String> {
        let (header, claims) = decode_unverified(token)?;
        if is_alg_none(&header) {
            if self.has(Defect::AlgNoneAccepted) {
                self.hand_checks(&claims, expect, now)?;
                return Ok(claims);
            }
            return Err("token.algorithm_not_allowed: alg none".into());
        }
        let validator = self.validator()?;
        let nonce = Nonce::new(expect.nonce);
        let access = AccessToken::new(expect.access_token);
        let exp = IdTokenExpectations::new(&nonce)
            .acr_values(expect.acr_values)
            .access_token(&access);
        match validator.validate_id_token(token, jwks, &exp, cis2_sdk::UnixTime::from_secs(now)) {
            Ok(_) => Ok(claims),
            Err(e) => match self.excuse(&e) {
                // Every check before the failed one passed in the sdk (the signature among them, unless
                // that is what failed); the hand checks redo them all with only the excused one relaxed.
                Some(_) => {
                    self.hand_checks(&claims, expect, now)?;
                    Ok(claims)
                }
                None => Err(format!("{}: {e}", e.code())),
            },
        }
    }

    /// The RP's own claim checks (OIDC Core §3.1.3.7 and CIS2 assurance), each relaxed by its defect.
    fn hand_checks(&self, c: &Map<String, Value>, expect: &Expect<'_>, now: u64) -> Result<(), String> {
        let str_claim = |n: &str| c.get(n).and_then(Value::as_str);
        let time = |n: &str| -> Result<Option<u64>, String> {
            match c.get(n) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| format!("{n} is not a NumericDate")),
            }
        };
        if c.contains_key("events") {
            return Err("events in an ID token".into());
        }
        let iss = str_claim("iss").ok_or("iss missing")?;
        if iss != self.cfg.issuer && !(self.has(Defect::IssuerNormalised) && same_url(iss, &self.cfg.issuer))
        {
            return Err(format!("iss {iss:?} is not the issuer"));
        }
        str_claim("sub").filter(|s| !s.is_empty()).ok_or("sub missing")?;
        if !self.has(Defect::AnyAudAccepted) {
            self.check_aud(c)?;
        }
        let exp = time("exp")?;
        if !self.has(Defect::ExpIgnored) {
            let exp = exp.ok_or("exp missing")?;
            if now >= exp.saturating_add(LEEWAY_SECS) {
                return Err("expired".into());
            }
        }
        if time("nbf")?.is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECS)) {
            return Err("not yet valid".into());
        }
        match time("iat")? {
            None if self.has(Defect::IatMissingAccepted) => {}
            None => return Err("iat missing".into()),
            Some(iat) if iat > now.saturating_add(LEEWAY_SECS) => return Err("iat in the future".into()),
            Some(iat)
                if !self.has(Defect::ExpIgnored)
                    && now.saturating_sub(iat) > ID_TOKEN_MAX_AGE_SECS.saturating_add(LEEWAY_SECS) =>
            {
                return Err("issued too long ago".into());
            }
            Some(_) => {}
        }
        if !self.has(Defect::NonceNotChecked) && str_claim("nonce") != Some(expect.nonce) {
            return Err("nonce mismatch".into());
        }
        if time("auth_time")?.is_some_and(|t| t > now.saturating_add(LEEWAY_SECS)) {
            return Err("auth_time in the future".into());
        }
        let acr = str_claim("acr").unwrap_or_default();
        let requested: Vec<&str> = expect.acr_values.iter().map(String::as_str).collect();
        if !requested.contains(&acr)
            && !requested
                .iter()
                .any(|r| cis2_sdk::acr::at_least_as_strict(acr, r))
        {
            return Err(format!("acr {acr:?} does not satisfy {requested:?}"));
        }
        let ial = c.get("id_assurance_level").and_then(|v| match v {
            Value::String(s) => s.parse::<u8>().ok(),
            v => v.as_u64().and_then(|n| u8::try_from(n).ok()),
        });
        if ial.is_none_or(|l| l < 3) {
            return Err("id_assurance_level below 3".into());
        }
        Ok(())
    }

    /// `aud` (string or array of strings) contains our client id and nothing else; `azp`, when present, is us.
    fn check_aud(&self, c: &Map<String, Value>) -> Result<(), String> {
        let me = self.cfg.client_id.as_str();
        let auds: Vec<&str> = match c.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().ok_or("aud holds a non-string"))
                .collect::<Result<_, _>>()?,
            _ => return Err("aud missing".into()),
        };
        if !auds.contains(&me) || auds.iter().any(|a| *a != me) {
            return Err(format!("aud {auds:?} is not {me:?}"));
        }
        if c.get("azp").is_some_and(|azp| azp.as_str() != Some(me)) {
            return Err("azp is not us".into());
        }
        Ok(())
    }
}

/// The `issuer_normalised` comparison: both parsed as URLs and compared in their normalised form.
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    matches!((url::Url::parse(a), url::Url::parse(b)), (Ok(a), Ok(b)) if a == b)
}
