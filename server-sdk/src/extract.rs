//! Extractors and layers: the signed-in user, AAL3, activity and role requirements. API calls get JSON errors
//! (401 no session, 403 not enough); browser navigations get redirects (to sign in, or to step up).

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::{AccessToken, Cis2User, NrbacRole, RoleSelection};
use futures_util::future::BoxFuture;
use http::request::Parts;
use http::{HeaderMap, Request, StatusCode, header};

use crate::auth::Cis2Auth;
use crate::auth::SessionLookup;
use crate::error::ApiError;
use crate::store::{EndReason, SessionRecord, SignInPath};

/// Whether the caller asked for JSON (`Accept: application/json`, or a `fetch` that is not a navigation).
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    !is_navigation(headers)
}

/// A top-level browser navigation (`Sec-Fetch-Mode: navigate`; without fetch metadata, `Accept` preferring
/// HTML over JSON).
pub(crate) fn is_navigation(headers: &HeaderMap) -> bool {
    if let Some(mode) = headers.get("sec-fetch-mode").and_then(|v| v.to_str().ok()) {
        return mode == "navigate";
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html") && !accept.contains("application/json")
}

fn original_path(parts: &Parts) -> String {
    let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |o| &o.0);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    cis2_sdk::bff::validate_return_to(path).unwrap_or("/").to_owned()
}

/// The signed-in CIS2 user of this request: looks the session cookie up (applying idle and absolute timeouts and
/// recording activity). Rejects with 401 JSON `{"error":"login_required"}` (plus `reason` when the session just
/// ended) for API calls, or a redirect to `/login?return_to=…` for navigations.
///
/// Works with any state `S` where `Cis2Auth: FromRef<S>` (including `Cis2Auth` itself).
#[derive(Clone, Debug)]
pub struct Cis2Session(Arc<SessionRecord>);

impl Cis2Session {
    /// The whole session record.
    pub fn record(&self) -> &SessionRecord {
        &self.0
    }

    /// The validated user (ID-token claims and userinfo).
    pub fn user(&self) -> &Cis2User {
        &self.0.user
    }

    /// The CIS2 subject (UID).
    pub fn sub(&self) -> &str {
        &self.0.sub
    }

    /// The user's national RBAC roles.
    pub fn roles(&self) -> &[NrbacRole] {
        self.0.user.roles()
    }

    /// The selected role, resolved the CIS2 way (cis2.md §8.7).
    pub fn selected_role(&self) -> RoleSelection<'_> {
        self.0.user.selected_role()
    }

    /// The authentication assurance level of the sign-in.
    pub fn aal(&self) -> Option<u8> {
        self.0.aal
    }

    /// Whether the selected role grants an activity code (e.g. `B0420`).
    pub fn has_activity(&self, code: &str) -> bool {
        self.0.user.has_activity(code)
    }

    /// Whether the selected role has a role code (e.g. `R8000`).
    pub fn has_role_code(&self, code: &str) -> bool {
        self.0.user.has_role_code(code)
    }

    /// The access token, for calling APIs on the user's behalf; `None` when the user signed in with CIS1.
    ///
    /// # Security
    /// Never send it to the browser.
    pub fn access_token(&self) -> Option<&AccessToken> {
        self.0.access_token.as_ref()
    }

    /// Which way the user signed in: [`SignInPath::Cis2`], or [`SignInPath::Cis1`] with an Identity Agent
    /// ticket during a dual-run migration. Everything else reads the same on both paths.
    pub fn path(&self) -> SignInPath {
        self.0.path
    }

    /// The CIS1 ticket of a [`SignInPath::Cis1`] session (for CIS1 national services that still take it).
    ///
    /// # Security
    /// A bearer credential: never log it or send it to another party.
    #[cfg(feature = "cis1")]
    pub fn cis1_ticket(&self) -> Option<&cis2_sdk::cis1::SsoTicket> {
        self.0.cis1.as_ref().map(|l| &l.ticket)
    }
}

/// Why an extractor or layer refused the request (already a response).
#[derive(Debug)]
pub struct AuthRejection(Response);

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

fn unauthenticated(auth: &Cis2Auth, parts: &Parts, reason: Option<EndReason>) -> Response {
    if is_navigation(&parts.headers) {
        return Redirect::to(&auth.login_url(&original_path(parts), &[])).into_response();
    }
    let mut err = ApiError::new(StatusCode::UNAUTHORIZED, "login_required", "sign in first");
    if let Some(r) = reason {
        err = err.with("reason", r.as_str());
    }
    err.into_response()
}

async fn resolve(auth: &Cis2Auth, parts: &Parts) -> Result<Cis2Session, Response> {
    if let Some(s) = parts.extensions.get::<Cis2Session>() {
        return Ok(s.clone());
    }
    match auth.lookup_session(&parts.headers, true).await {
        Ok(SessionLookup::Active(rec)) => Ok(Cis2Session(Arc::new(*rec))),
        Ok(SessionLookup::Ended(reason)) => Err(unauthenticated(auth, parts, Some(reason))),
        Ok(SessionLookup::Missing) => Err(unauthenticated(auth, parts, None)),
        Err(e) => Err(ApiError::unavailable(&e).into_response()),
    }
}

impl<S> FromRequestParts<S> for Cis2Session
where
    Cis2Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Cis2Auth::from_ref(state);
        resolve(&auth, parts).await.map_err(AuthRejection)
    }
}

/// What a route demands beyond a session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requirement {
    /// A session, nothing more.
    Session,
    /// A sign-in at AAL3 (step-up otherwise).
    Aal3,
    /// The selected role grants at least one of these activity codes.
    AnyActivity(Vec<String>),
    /// The selected role has at least one of these role codes.
    AnyRoleCode(Vec<String>),
}

/// `None` when the requirement holds; otherwise the refusal.
fn check(auth: &Cis2Auth, parts: &Parts, session: &Cis2Session, req: &Requirement) -> Option<Response> {
    match req {
        Requirement::Session => None,
        Requirement::Aal3 if session.aal().is_some_and(|a| a >= 3) => None,
        Requirement::Aal3 => {
            let step_up = auth.login_url(
                &original_path(parts),
                &[("acr_values", "AAL3_ANY"), ("prompt", "login")],
            );
            if is_navigation(&parts.headers) {
                return Some(Redirect::to(&step_up).into_response());
            }
            Some(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient_user_authentication",
                    "this needs an AAL3 sign-in",
                )
                .with("acr_values", "AAL3_ANY")
                .with("step_up", step_up)
                .into_response(),
            )
        }
        Requirement::AnyActivity(codes) if codes.iter().any(|c| session.has_activity(c)) => None,
        Requirement::AnyRoleCode(codes) if codes.iter().any(|c| session.has_role_code(c)) => None,
        Requirement::AnyActivity(codes) | Requirement::AnyRoleCode(codes) => {
            let change = format!(
                "{}/change-role?return_to={}",
                auth.mount_path(),
                url::form_urlencoded::byte_serialize(original_path(parts).as_bytes()).collect::<String>()
            );
            Some(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient_role",
                    format!("the selected role lacks {}", codes.join(" or ")),
                )
                .with("change_role", change)
                .into_response(),
            )
        }
    }
}

/// Requires an AAL3 sign-in: a navigation gets a step-up redirect (`/login?acr_values=AAL3_ANY&prompt=login`),
/// an API call 401 (no session) or 403 `{"error":"insufficient_user_authentication"}`.
#[derive(Clone, Debug)]
pub struct RequireAal3(pub Cis2Session);

impl<S> FromRequestParts<S> for RequireAal3
where
    Cis2Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Cis2Auth::from_ref(state);
        let session = resolve(&auth, parts).await.map_err(AuthRejection)?;
        if let Some(refusal) = check(&auth, parts, &session, &Requirement::Aal3) {
            return Err(AuthRejection(refusal));
        }
        Ok(Self(session))
    }
}

/// Activity codes for [`RequireActivity`]: `struct Prescribe; impl ActivityCodes for Prescribe { const CODES: … = &["B0420"]; }`.
pub trait ActivityCodes: Send + Sync + 'static {
    /// Any one of these grants access.
    const CODES: &'static [&'static str];
}

/// Requires the selected role to grant one of `A::CODES`; 403 `{"error":"insufficient_role"}` otherwise.
#[derive(Debug)]
pub struct RequireActivity<A>(pub Cis2Session, PhantomData<A>);

impl<S, A> FromRequestParts<S> for RequireActivity<A>
where
    Cis2Auth: FromRef<S>,
    S: Send + Sync,
    A: ActivityCodes,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Cis2Auth::from_ref(state);
        let session = resolve(&auth, parts).await.map_err(AuthRejection)?;
        let req = Requirement::AnyActivity(A::CODES.iter().map(|c| (*c).to_owned()).collect());
        if let Some(refusal) = check(&auth, parts, &session, &req) {
            return Err(AuthRejection(refusal));
        }
        Ok(Self(session, PhantomData))
    }
}

impl Cis2Auth {
    /// A layer that lets requests through only when `requirement` holds; the session is then available to
    /// handlers through [`Cis2Session`] without a second lookup.
    pub fn require(&self, requirement: Requirement) -> RequireLayer {
        RequireLayer {
            auth: self.clone(),
            requirement,
        }
    }

    /// `require(Requirement::AnyActivity(codes))`.
    pub fn require_activity(&self, codes: impl IntoIterator<Item = impl Into<String>>) -> RequireLayer {
        self.require(Requirement::AnyActivity(
            codes.into_iter().map(Into::into).collect(),
        ))
    }

    /// `require(Requirement::AnyRoleCode(codes))`.
    pub fn require_role_code(&self, codes: impl IntoIterator<Item = impl Into<String>>) -> RequireLayer {
        self.require(Requirement::AnyRoleCode(
            codes.into_iter().map(Into::into).collect(),
        ))
    }
}

/// The layer [`Cis2Auth::require`] returns.
#[derive(Clone, Debug)]
pub struct RequireLayer {
    auth: Cis2Auth,
    requirement: Requirement,
}

impl<S> tower_layer::Layer<S> for RequireLayer {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            inner,
            auth: self.auth.clone(),
            requirement: self.requirement.clone(),
        }
    }
}

/// The service [`RequireLayer`] wraps around a route.
#[derive(Clone, Debug)]
pub struct RequireService<S> {
    inner: S,
    auth: Cis2Auth,
    requirement: Requirement,
}

impl<S> tower_service::Service<Request<Body>> for RequireService<S>
where
    S: tower_service::Service<Request<Body>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this call (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        let requirement = self.requirement.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let session = match resolve(&auth, &parts).await {
                Ok(s) => s,
                Err(resp) => return Ok(resp),
            };
            if let Some(resp) = check(&auth, &parts, &session, &requirement) {
                return Ok(resp);
            }
            parts.extensions.insert(session);
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}
