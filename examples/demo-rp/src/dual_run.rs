//! Dual-run mode (`dual_run = true`, `DEMO_DUAL_RUN`): CIS1 sign-in through the Identity Agent beside CIS2,
//! on cis2-server's `cis1` feature, with the cut-over switch on the page.
//!
//! The "Log in with your smartcard (CIS1)" link goes to the Identity Agent's `getTicket` (the mock's virtual
//! IA: `{identity_agent_url}/ia/getTicket?return_to=<demo>/`), which asks for the PIN and role only when it
//! holds no live session and sends the ticket back in the URL fragment; `static/cis1.js` posts it to
//! `/auth/cis1`. When the cut-over covers the user the kit answers `cis2_required` and the script follows its
//! CIS2 sign-in URL, where the IA's single sign-on spares a second PIN.

use std::sync::{Arc, PoisonError, RwLock};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_server::{Cis2Auth, Cutover};
use serde::Deserialize;

/// Who the cut-over switch sends to CIS2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CutoverMode {
    /// CIS1 allowed for everyone.
    #[default]
    Off,
    /// These organisations (ODS codes) on CIS2.
    Organisations,
    /// These users (uids) on CIS2.
    Users,
    /// Everyone on CIS2.
    Everyone,
}

impl CutoverMode {
    const ALL: [(CutoverMode, &'static str, &'static str); 4] = [
        (CutoverMode::Off, "off", "Off: CIS1 allowed for everyone"),
        (
            CutoverMode::Organisations,
            "organisations",
            "These organisations (ODS codes) on CIS2",
        ),
        (CutoverMode::Users, "users", "These users (UIDs) on CIS2"),
        (CutoverMode::Everyone, "everyone", "Everyone on CIS2"),
    ];
}

/// The switch as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CutoverChoice {
    pub(crate) mode: CutoverMode,
    pub(crate) codes: Vec<String>,
}

impl CutoverChoice {
    /// The kit's switch.
    pub(crate) fn to_cutover(&self) -> Cutover {
        match self.mode {
            CutoverMode::Off => Cutover::off(),
            CutoverMode::Organisations => Cutover::organisations(self.codes.clone()),
            CutoverMode::Users => Cutover::users(self.codes.clone()),
            CutoverMode::Everyone => Cutover::everyone(),
        }
    }

    /// A sentence for the page.
    pub(crate) fn describe(&self) -> String {
        match self.mode {
            CutoverMode::Off => "off (CIS1 allowed for everyone)".into(),
            CutoverMode::Organisations => format!("organisations {} on CIS2", self.codes.join(", ")),
            CutoverMode::Users => format!("users {} on CIS2", self.codes.join(", ")),
            CutoverMode::Everyone => "everyone on CIS2".into(),
        }
    }
}

/// Dual-run state: where the Identity Agent is and the switch as last set from the page.
#[derive(Clone, Debug)]
pub(crate) struct DualRun {
    /// `{identity_agent_url}/ia/getTicket?return_to=<demo>/`.
    pub(crate) get_ticket_url: String,
    pub(crate) cutover: Arc<RwLock<CutoverChoice>>,
}

impl DualRun {
    pub(crate) fn new(identity_agent_url: &str, public_url: &str) -> Self {
        let return_to: String =
            url::form_urlencoded::byte_serialize(format!("{public_url}/").as_bytes()).collect();
        Self {
            get_ticket_url: format!(
                "{}/ia/getTicket?return_to={return_to}",
                identity_agent_url.trim_end_matches('/')
            ),
            cutover: Arc::default(),
        }
    }

    pub(crate) fn choice(&self) -> CutoverChoice {
        self.cutover
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[derive(Deserialize)]
pub(crate) struct CutoverForm {
    mode: CutoverMode,
    #[serde(default)]
    codes: String,
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": "invalid_request", "error_description": message })),
    )
        .into_response()
}

/// `POST /dual-run/cutover` (`mode`: off, organisations, users, everyone; `codes`: ODS codes or uids,
/// comma- or space-separated): sets the switch, then back to `/`. Same-origin form posts only. `dual`: the
/// demo's dual-run state (`None`: the mode is off); `public_url`: the demo's origin.
pub(crate) fn set_cutover(
    dual: Option<&DualRun>,
    auth: &Cis2Auth,
    public_url: &str,
    headers: &HeaderMap,
    f: CutoverForm,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| o != public_url) || matches!(site, Some("cross-site" | "same-site")) {
        return refuse(StatusCode::FORBIDDEN, "cross-origin request refused");
    }
    let Some(dual) = dual else {
        return refuse(StatusCode::NOT_FOUND, "dual-run mode is off (DEMO_DUAL_RUN)");
    };
    let codes: Vec<String> = f
        .codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if matches!(f.mode, CutoverMode::Organisations | CutoverMode::Users) && codes.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "list the ODS codes or UIDs to move to CIS2",
        );
    }
    let choice = CutoverChoice { mode: f.mode, codes };
    if let Err(e) = auth.set_cutover(choice.to_cutover()) {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    }
    tracing::info!(cutover = %choice.describe(), "demo: cut-over switch changed");
    *dual.cutover.write().unwrap_or_else(PoisonError::into_inner) = choice;
    Redirect::to("/").into_response()
}

/// The dual-run panel: the switch and its form.
pub(crate) fn panel(dual: &DualRun, esc: fn(&str) -> String) -> String {
    let choice = dual.choice();
    let mut radios = String::new();
    for (mode, value, label) in CutoverMode::ALL {
        radios.push_str(&format!(
            "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"cutover-{value}\" \
             name=\"mode\" type=\"radio\" value=\"{value}\"{checked}><label class=\"nhsuk-label nhsuk-radios__label\" \
             for=\"cutover-{value}\">{label}</label></div>",
            checked = if mode == choice.mode { " checked" } else { "" },
        ));
    }
    format!(
        "<section id=\"dual-run\" class=\"nhsuk-u-margin-top-7\"><h2 class=\"nhsuk-heading-m\">Dual-run: CIS1 and CIS2</h2>\
         <p class=\"nhsuk-body\">Cut-over: <strong id=\"cutover-state\" data-mode=\"{mode}\">{state}</strong>. \
         Users it covers are sent from CIS1 to CIS2 sign-in; under the Identity Agent they are not asked for \
         their PIN again.</p>\
         <form method=\"post\" action=\"/dual-run/cutover\" id=\"cutover-form\"><div class=\"nhsuk-form-group\">\
         <fieldset class=\"nhsuk-fieldset\"><legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Cut-over switch</legend>\
         <div class=\"nhsuk-radios nhsuk-radios--small\">{radios}</div></fieldset></div>\
         <div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"cutover-codes\">ODS codes or UIDs (comma-separated)</label>\
         <input class=\"nhsuk-input nhsuk-input--width-20\" id=\"cutover-codes\" name=\"codes\" type=\"text\" value=\"{codes}\"></div>\
         <button class=\"nhsuk-button nhsuk-button--secondary\" id=\"cutover-save\" type=\"submit\">Set the cut-over</button></form></section>",
        mode = match choice.mode {
            CutoverMode::Off => "off",
            CutoverMode::Organisations => "organisations",
            CutoverMode::Users => "users",
            CutoverMode::Everyone => "everyone",
        },
        state = esc(&choice.describe()),
        codes = esc(&choice.codes.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_map_to_the_kits_switch() {
        let c = CutoverChoice {
            mode: CutoverMode::Organisations,
            codes: vec!["RBA".into()],
        };
        assert_eq!(c.to_cutover(), Cutover::organisations(["RBA"]));
        assert_eq!(c.describe(), "organisations RBA on CIS2");
        assert!(CutoverChoice::default().to_cutover().is_off());
        let d = DualRun::new("http://localhost:9000/", "http://localhost:8080");
        assert_eq!(
            d.get_ticket_url,
            "http://localhost:9000/ia/getTicket?return_to=http%3A%2F%2Flocalhost%3A8080%2F"
        );
    }
}
