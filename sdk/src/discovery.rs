//! Provider metadata (OpenID Connect Discovery 1.0): fetched as a request value, checked strictly.

use serde_json::{Map, Value};

use crate::error::{Error, ProviderError};
use crate::http::{HttpRequest, HttpResponse, limits};
use crate::issuer::{EndpointUrl, IssuerUrl};
use crate::jose::Algorithm;

/// Checked provider metadata. Endpoints keep their discovered strings (with `:443`); unknown members are kept.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`, byte-equal to the configured issuer.
    pub issuer: IssuerUrl,
    /// `authorization_endpoint`.
    pub authorization_endpoint: EndpointUrl,
    /// `token_endpoint`.
    pub token_endpoint: EndpointUrl,
    /// `jwks_uri`.
    pub jwks_uri: EndpointUrl,
    /// `userinfo_endpoint`.
    pub userinfo_endpoint: Option<EndpointUrl>,
    /// `end_session_endpoint`.
    pub end_session_endpoint: Option<EndpointUrl>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `acr_values_supported`.
    pub acr_values_supported: Vec<String>,
    /// `id_token_signing_alg_values_supported`.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `code_challenge_methods_supported`.
    pub code_challenge_methods_supported: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    /// `backchannel_logout_supported`.
    pub backchannel_logout_supported: bool,
    /// The whole document, unknown members included.
    pub raw: Map<String, Value>,
}

/// The discovery request for an issuer: `GET {issuer}/.well-known/openid-configuration` (Discovery §4).
pub fn discovery_request(issuer: &IssuerUrl) -> Result<HttpRequest, Error> {
    let base = issuer.as_str().trim_end_matches('/');
    crate::http::get(
        &format!("{base}/.well-known/openid-configuration"),
        "application/json",
    )
}

fn string_list(doc: &Map<String, Value>, member: &'static str) -> Result<Vec<String>, ProviderError> {
    match doc.get(member) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ProviderError::Malformed {
                document: "discovery",
                reason: format!("{member} holds a non-string"),
            }),
        Some(_) => Err(ProviderError::Malformed {
            document: "discovery",
            reason: format!("{member} is not an array"),
        }),
    }
}

fn flag(doc: &Map<String, Value>, member: &'static str) -> Result<bool, ProviderError> {
    match doc.get(member) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ProviderError::Malformed {
            document: "discovery",
            reason: format!("{member} is not a boolean"),
        }),
    }
}

/// Same scheme, host and port as the issuer (catalogue FLOW-14, CIS2 profile).
fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

impl ProviderMetadata {
    /// Parses and checks a discovery response for `issuer`.
    ///
    /// Refuses: a non-200 or non-JSON or oversize response; `issuer` not byte-equal to the configured one
    /// (Discovery §4.3, catalogue CS-08); missing `authorization_endpoint`, `token_endpoint` or `jwks_uri`;
    /// endpoints that are not https (http only on loopback) or that leave the issuer's origin; a provider that
    /// does not offer `response_type=code` or the algorithms we are pinned to.
    pub fn from_response(
        issuer: &IssuerUrl,
        resp: &HttpResponse,
        algorithms: &[Algorithm],
    ) -> Result<Self, Error> {
        let doc = crate::http::json_body(resp, "discovery", limits::DISCOVERY)?;
        Ok(Self::from_document(issuer, doc, algorithms)?)
    }

    /// As [`Self::from_response`], from an already-parsed document.
    pub fn from_document(
        issuer: &IssuerUrl,
        doc: Map<String, Value>,
        algorithms: &[Algorithm],
    ) -> Result<Self, ProviderError> {
        let actual = match doc.get("issuer") {
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                return Err(ProviderError::Malformed {
                    document: "discovery",
                    reason: "issuer is not a string".into(),
                });
            }
            None => return Err(ProviderError::MissingMember { member: "issuer" }),
        };
        if actual != issuer.as_str() {
            return Err(ProviderError::IssuerMismatch {
                expected: issuer.as_str().to_owned(),
                actual: actual.to_owned(),
            });
        }
        let endpoint = |member: &'static str| -> Result<Option<EndpointUrl>, ProviderError> {
            let Some(v) = doc.get(member) else { return Ok(None) };
            let s = v.as_str().ok_or_else(|| ProviderError::Malformed {
                document: "discovery",
                reason: format!("{member} is not a string"),
            })?;
            // An http issuer exists only on loopback or through `dangerous::http_issuer_url`; its endpoints may
            // then be http too, but only on the issuer's own origin (checked below).
            let make = if issuer.url().scheme() == "http" {
                EndpointUrl::new_allowing_http
            } else {
                EndpointUrl::new
            };
            let url = make(s).map_err(|e| ProviderError::BadEndpoint {
                member,
                value: s.to_owned(),
                reason: e.to_string(),
            })?;
            if !same_origin(url.url(), issuer.url()) {
                return Err(ProviderError::BadEndpoint {
                    member,
                    value: s.to_owned(),
                    reason: "not on the issuer's origin".into(),
                });
            }
            Ok(Some(url))
        };
        let required =
            |member: &'static str| endpoint(member)?.ok_or(ProviderError::MissingMember { member });
        let response_types = string_list(&doc, "response_types_supported")?;
        if !response_types.is_empty() && !response_types.iter().any(|r| r == "code") {
            return Err(ProviderError::Unsupported {
                what: "response_type code".into(),
                offered: response_types,
            });
        }
        let algs = string_list(&doc, "id_token_signing_alg_values_supported")?;
        if !algs.is_empty() && !algorithms.iter().any(|a| algs.iter().any(|s| s == a.as_str())) {
            return Err(ProviderError::Unsupported {
                what: format!(
                    "ID tokens signed with {:?}",
                    algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>()
                ),
                offered: algs,
            });
        }
        Ok(Self {
            issuer: issuer.clone(),
            authorization_endpoint: required("authorization_endpoint")?,
            token_endpoint: required("token_endpoint")?,
            jwks_uri: required("jwks_uri")?,
            userinfo_endpoint: endpoint("userinfo_endpoint")?,
            end_session_endpoint: endpoint("end_session_endpoint")?,
            scopes_supported: string_list(&doc, "scopes_supported")?,
            acr_values_supported: string_list(&doc, "acr_values_supported")?,
            id_token_signing_alg_values_supported: algs,
            token_endpoint_auth_methods_supported: string_list(
                &doc,
                "token_endpoint_auth_methods_supported",
            )?,
            code_challenge_methods_supported: string_list(&doc, "code_challenge_methods_supported")?,
            authorization_response_iss_parameter_supported: flag(
                &doc,
                "authorization_response_iss_parameter_supported",
            )?,
            backchannel_logout_supported: flag(&doc, "backchannel_logout_supported")?,
            raw: doc,
        })
    }

    /// The JWKS request (`GET jwks_uri`).
    pub fn jwks_request(&self) -> Result<HttpRequest, Error> {
        crate::http::get(
            self.jwks_uri.as_str(),
            "application/json, application/jwk-set+json",
        )
    }
}

/// Parses a JWKS response (status, size cap, JSON) into a key set.
pub fn jwks_from_response(resp: &HttpResponse) -> Result<crate::jwks::JwkSet, Error> {
    let doc = crate::http::json_body(resp, "jwks", limits::JWKS)?;
    let set = crate::jwks::JwkSet::from_document(&doc)?;
    if set.keys().is_empty() {
        return Err(ProviderError::NoUsableKeys {
            rejected: set.rejected().len(),
        }
        .into());
    }
    Ok(set)
}
