//! The page a person sees when their sign-in is refused: what happened, what to do next, and the reference the
//! service desk can find in the log. NHS.UK design-system markup (`nhsuk-*` classes), so an app that serves
//! nhsuk-frontend gets the NHS look; without it the page is plain and still readable. API clients get JSON.
//! Rendered with maud, which escapes every value.

use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, header};
use maud::{DOCTYPE, html};

use crate::error::ApiError;

/// `api` as an HTML page, with the same status and `Cache-Control: no-store`.
pub(crate) fn render(api: &ApiError, start_again: &str) -> Response {
    let reference = api.extra.get("correlation_id").and_then(|v| v.as_str());
    let provider_down = api.error == "temporarily_unavailable";
    let title = if provider_down {
        "Sorry, there is a problem with the sign-in service"
    } else {
        "Sorry, you could not be signed in"
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body class="nhsuk-frontend-supported" {
                main class="nhsuk-main-wrapper" id="maincontent" role="main" {
                    div class="nhsuk-width-container" {
                        h1 class="nhsuk-heading-l" { (title) }
                        p class="nhsuk-body" {
                            @if provider_down {
                                "NHS Care Identity Service 2 did not answer as expected. Wait a moment, then try again."
                            } @else {
                                "Your sign-in could not be completed. This can happen if you used the back button, \
                                 signed in from an old tab, or took too long."
                            }
                        }
                        p class="nhsuk-body" {
                            a class="nhsuk-button" href=(start_again) { "Try signing in again" }
                        }
                        @if let Some(r) = reference {
                            div class="nhsuk-inset-text" {
                                p {
                                    "If this keeps happening, contact your IT service desk and give them this reference: "
                                    strong id="correlation-id" { (r) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut resp = (api.status, Html(page.into_string())).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
