//! The app's smartcard users: who needs Smartcard Connect, series 10 cards, deprecated cards (cis2.md §11 and
//! the NHS England migration page).

use super::input::{Cis2Section, UsersSection};
use super::model::{Finding, Level, SmartcardSummary};

/// Counts the declared cards.
pub(super) fn summary(users: &UsersSection) -> SmartcardSummary {
    let mut s = SmartcardSummary::default();
    for g in &users.cards {
        s.cards += g.count;
        if matches!(g.series, 4..=6) {
            s.deprecated_series += g.count;
        }
        if g.client == "identity_agent" {
            s.need_smartcard_connect += g.count;
            if g.series == 10 {
                s.series_10_on_identity_agent += g.count;
            }
        } else {
            s.on_smartcard_connect += g.count;
        }
    }
    s
}

/// The findings, in a fixed order.
pub(super) fn findings(s: &SmartcardSummary, cis2: &Cis2Section) -> Vec<Finding> {
    let mut out = Vec::new();
    if s.deprecated_series > 0 {
        out.push(Finding::new(
            "smartcards.deprecated-series",
            Level::Missing,
            format!(
                "{} user(s) hold series 4, 5 or 6 cards, which are deprecated and refused",
                s.deprecated_series
            ),
            "ask the Registration Authority to replace them with series 8 or above",
        ));
    }
    if s.series_10_on_identity_agent > 0 {
        out.push(Finding::new(
            "smartcards.series-10-identity-agent",
            Level::Missing,
            format!(
                "{} user(s) hold series 10 cards under the Identity Agent; series 10 cards work only with Smartcard Connect",
                s.series_10_on_identity_agent
            ),
            "move these users to Smartcard Connect once all their applications are on CIS2",
        ));
    }
    if s.need_smartcard_connect > 0 {
        out.push(Finding::new(
            "smartcards.identity-agent",
            Level::Weak,
            format!(
                "{} user(s) sign in through the Identity Agent; series 8/9 cards work with it only until 28 February 2027",
                s.need_smartcard_connect
            ),
            "plan their move to Smartcard Connect (CIS2 only, so after every app they use is on CIS2) or to another authenticator",
        ));
        if cis2.backchannel_logout_uri.is_none() {
            out.push(Finding::new(
                "smartcards.removal-unseen",
                Level::Missing,
                "Identity Agent users remove their card to sign out, and only back-channel logout tells the app",
                "register a back-channel logout URI",
            ));
        }
    }
    if s.on_smartcard_connect > 0 {
        out.push(Finding::new(
            "smartcards.smartcard-connect-no-removal",
            Level::Note,
            format!(
                "{} user(s) use Smartcard Connect, which does not sign users out when the card is removed",
                s.on_smartcard_connect
            ),
            "keep an idle timeout and use max_age / prompt=login (or step-up) where a fresh smartcard sign-in matters",
        ));
    }
    out
}
