//! The CIS1 emulation's library surface on [`AppState`]: sign in the way the virtual Identity Agent does
//! (card, PIN, role chosen at PIN entry), read, change and end CIS1 sessions, set a card's series.

use crate::cards::{VirtualCard, known_series};
use crate::cis1_sessions::Cis1Session;
use crate::ct::same;
use crate::errors::AdminError;
use crate::state::{AppState, lock};

use super::signin::{Agent, Cis1Error, check_card, open_session};

/// A CIS1 sign-in through the virtual Identity Agent ([`AppState::start_cis1_session`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Cis1SignIn {
    /// The user (uid or login name).
    pub uid: String,
    /// The smartcard passcode (PIN).
    pub passcode: String,
    /// The role chosen at PIN entry (a `person_roleid`); `None`: the user's first role.
    pub role: Option<String>,
    /// The card; `None`: the user's card (created, series 9, when the user has none).
    pub serial: Option<String>,
    /// The client address the agent reports (`ClientIP`); `None`: `127.0.0.1`.
    pub client_ip: Option<String>,
}

impl Cis1SignIn {
    /// A sign-in for `uid` with `passcode`, first role, the user's card.
    pub fn new(uid: impl Into<String>, passcode: impl Into<String>) -> Self {
        Self {
            uid: uid.into(),
            passcode: passcode.into(),
            role: None,
            serial: None,
            client_ip: None,
        }
    }

    /// Chooses the role at PIN entry.
    pub fn with_role(mut self, person_roleid: impl Into<String>) -> Self {
        self.role = Some(person_roleid.into());
        self
    }

    /// Signs in with this card.
    pub fn with_card(mut self, serial: impl Into<String>) -> Self {
        self.serial = Some(serial.into());
        self
    }

    /// Reports this client address.
    pub fn with_client_ip(mut self, ip: impl Into<String>) -> Self {
        self.client_ip = Some(ip.into());
        self
    }
}

impl AppState {
    /// Signs a user in to CIS1 as the virtual Identity Agent does: the card goes in, the PIN is checked, the
    /// card's series must suit the card mode, the role chosen at PIN entry becomes the session role (so a CIS1
    /// app sees it as `ssbSessionRoleUid`). Returns the session; its `ticket` is what the IA hands to apps.
    /// The same rules as `POST /login/authvalidate` apply, and the session is the same kind.
    pub fn start_cis1_session(&self, req: Cis1SignIn) -> Result<Cis1Session, Cis1Error> {
        let user = self.user_by_login(&req.uid).ok_or(Cis1Error::UnknownUser)?;
        let card = {
            let mut cards = lock(&self.0.cards);
            match &req.serial {
                Some(serial) => cards.get(serial).cloned().ok_or(Cis1Error::UnknownCard)?,
                None => {
                    let serial = cards.card_of(&user.uid).map(|c| c.serial.clone());
                    cards.create(serial, &user.uid)
                }
            }
        };
        if card.uid != user.uid {
            return Err(Cis1Error::UnknownCard);
        }
        check_card(self, &card)?;
        if !same(&req.passcode, &user.passcode) {
            return Err(Cis1Error::WrongPasscode);
        }
        let agent = Agent {
            client_ip: req.client_ip.filter(|ip| ip.parse::<std::net::IpAddr>().is_ok()),
            user_agent: Some("cis2-mock-idp virtual Identity Agent".into()),
            ..Agent::default()
        };
        open_session(self, &card, &user, req.role.as_deref(), agent)
    }

    /// The live CIS1 session with this ticket.
    pub fn cis1_session(&self, ticket: &str) -> Option<Cis1Session> {
        lock(&self.0.cis1).live(ticket, self.0.clock.now()).cloned()
    }

    /// Every live CIS1 session.
    pub fn cis1_sessions(&self) -> Vec<Cis1Session> {
        let now = self.0.clock.now();
        let mut v: Vec<Cis1Session> = lock(&self.0.cis1)
            .sessions
            .values()
            .filter(|s| s.expires_at > now)
            .cloned()
            .collect();
        v.sort_by_key(|s| s.seq);
        v
    }

    /// Ends a CIS1 session (as `authlogout`); whether one was live.
    pub fn end_cis1_session(&self, ticket: &str) -> bool {
        let now = self.0.clock.now();
        let mut cis1 = lock(&self.0.cis1);
        let live = cis1.live(ticket, now).is_some();
        cis1.sessions.remove(ticket);
        live
    }

    /// Changes the session role of a live CIS1 session (as `RoleSelectionGP.jsp`), and `ssbMode` when given.
    pub fn select_cis1_role(
        &self,
        ticket: &str,
        person_roleid: &str,
        ssb_mode: Option<u8>,
    ) -> Result<Cis1Session, Cis1Error> {
        let now = self.0.clock.now();
        let uid = lock(&self.0.cis1)
            .live(ticket, now)
            .map(|s| s.uid.clone())
            .ok_or(Cis1Error::NoSession)?;
        let user = self.user(&uid).ok_or(Cis1Error::UnknownUser)?;
        if user.role(person_roleid).is_none() {
            return Err(Cis1Error::UnknownRole);
        }
        let mut cis1 = lock(&self.0.cis1);
        let s = cis1
            .sessions
            .get_mut(ticket)
            .filter(|s| s.expires_at > now)
            .ok_or(Cis1Error::NoSession)?;
        s.selected_roleid = Some(person_roleid.to_owned());
        if let Some(m) = ssb_mode {
            s.ssb_mode = m;
        }
        Ok(s.clone())
    }

    /// The SSB role assertion for a ticket, exactly as `GET /saml/RoleAssertion` returns it: `Ok` with the
    /// `samlp:Success` document while the session lives, else `Err` with the failure document.
    pub fn cis1_role_assertion(&self, ticket: &str) -> Result<String, String> {
        super::saml::assertion_for(self, ticket)
    }

    /// A virtual card.
    pub fn card(&self, serial: &str) -> Option<VirtualCard> {
        lock(&self.0.cards).get(serial).cloned()
    }

    /// All virtual cards.
    pub fn cards(&self) -> Vec<VirtualCard> {
        lock(&self.0.cards).list()
    }

    /// Creates a virtual card for a user (removed from the reader, series 9), or returns the one with that
    /// serial; `serial` defaults to `VC<uid>`. `not_found` for an unknown user.
    pub fn create_card(&self, uid: &str, serial: Option<String>) -> Result<VirtualCard, AdminError> {
        if self.user(uid).is_none() {
            return Err(AdminError::NotFound("user"));
        }
        Ok(lock(&self.0.cards).create(serial, uid))
    }

    /// Sets a card's series (`PUT /admin/api/cards/{serial}`): 4, 5, 6 (deprecated: refused), 8, 9, 10
    /// (Smartcard Connect only). `not_found` for an unknown card, `invalid_request` for another series.
    pub fn set_card_series(&self, serial: &str, series: u8) -> Result<VirtualCard, AdminError> {
        if !known_series(series) {
            return Err(AdminError::InvalidRequest(format!(
                "series must be 4, 5, 6, 8, 9 or 10, not {series}"
            )));
        }
        lock(&self.0.cards)
            .set_series(serial, series)
            .ok_or(AdminError::NotFound("card"))
    }
}
