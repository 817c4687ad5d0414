//! Virtual smartcards: which card is in the reader, and what removing it does. In Identity Agent mode a
//! removal ends the smartcard sessions of that card (reaching RPs as back-channel logout, cis2.md §11); in
//! Smartcard Connect mode it ends nothing. Insert/remove events go out on a broadcast channel that the
//! Port Service bridge and the browser card-reader stream subscribe to.

use serde::{Deserialize, Serialize};

/// Which smartcard middleware the mock emulates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardMode {
    /// HSCN Identity Agent: removing the card ends the session.
    #[default]
    IdentityAgent,
    /// NHS Smartcard Connect: removing the card ends nothing.
    SmartcardConnect,
}

impl CardMode {
    /// Parses `identity_agent` / `smartcard_connect`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "identity_agent" => Some(CardMode::IdentityAgent),
            "smartcard_connect" => Some(CardMode::SmartcardConnect),
            _ => None,
        }
    }
}

/// The card series a new virtual card gets (an Idemia series 9 card).
pub const DEFAULT_CARD_SERIES: u8 = 9;

/// Why a card series cannot be used with a middleware (cis2.md §11; the seeds on series 4/5/6 and 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeriesRefusal {
    /// Series 4, 5 and 6 (Gemplus, JCOP 41) are withdrawn: every sign-in with one is refused.
    Deprecated,
    /// Series 10 works only with NHS Smartcard Connect, not with the Identity Agent.
    NeedsSmartcardConnect,
    /// A series the mock does not know (only 4, 5, 6, 8, 9 and 10 exist).
    Unknown,
}

impl SeriesRefusal {
    /// A short machine-readable code (`card_deprecated`, `card_needs_smartcard_connect`, `card_series_unknown`).
    pub fn code(self) -> &'static str {
        match self {
            SeriesRefusal::Deprecated => "card_deprecated",
            SeriesRefusal::NeedsSmartcardConnect => "card_needs_smartcard_connect",
            SeriesRefusal::Unknown => "card_series_unknown",
        }
    }

    /// A sentence for people.
    pub fn describe(self, series: u8) -> String {
        match self {
            SeriesRefusal::Deprecated => format!(
                "series {series} smartcards are deprecated and no longer authenticate; replace the card with series 8 or above"
            ),
            SeriesRefusal::NeedsSmartcardConnect => format!(
                "series {series} smartcards work only with NHS Smartcard Connect, not with the Identity Agent"
            ),
            SeriesRefusal::Unknown => format!("there is no smartcard series {series}"),
        }
    }
}

/// Whether a card of `series` authenticates under `mode`: 4/5/6 never (deprecated), 8/9 under both
/// middlewares, 10 only under Smartcard Connect.
pub fn check_series(series: u8, mode: CardMode) -> Result<(), SeriesRefusal> {
    match (series, mode) {
        (4..=6, _) => Err(SeriesRefusal::Deprecated),
        (8 | 9, _) => Ok(()),
        (10, CardMode::SmartcardConnect) => Ok(()),
        (10, _) => Err(SeriesRefusal::NeedsSmartcardConnect),
        _ => Err(SeriesRefusal::Unknown),
    }
}

/// Whether `series` is one the mock knows (4, 5, 6, 8, 9, 10).
pub fn known_series(series: u8) -> bool {
    matches!(series, 4..=6 | 8..=10)
}

/// One virtual card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VirtualCard {
    /// Card serial number.
    pub serial: String,
    /// The user it belongs to.
    pub uid: String,
    /// Whether it is in the reader.
    pub inserted: bool,
    /// The card series (4/5/6 deprecated, 8/9, 10); default 9.
    #[serde(default = "default_series")]
    pub series: u8,
    /// The card's secret (base64, 32 random bytes): the key of the HMAC with which the virtual card signs a
    /// CIS1 GAS challenge (`virtual_card_response`). Like the users' passwords, the admin API shows it.
    #[serde(default)]
    pub card_key: String,
}

fn default_series() -> u8 {
    DEFAULT_CARD_SERIES
}

fn new_card_key() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    base64::engine::general_purpose::STANDARD.encode(k)
}

/// A reader event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardEvent {
    /// A card went in.
    Inserted {
        /// Serial.
        serial: String,
        /// Owner.
        uid: String,
    },
    /// A card came out.
    Removed {
        /// Serial.
        serial: String,
        /// Owner.
        uid: String,
    },
}

/// The card reader: cards, mode and the event channel.
#[derive(Debug)]
pub(crate) struct Cards {
    cards: std::collections::BTreeMap<String, VirtualCard>,
    mode: CardMode,
    events: tokio::sync::broadcast::Sender<CardEvent>,
}

impl Cards {
    pub(crate) fn new(mode: CardMode) -> Self {
        Self {
            cards: Default::default(),
            mode,
            events: tokio::sync::broadcast::channel(64).0,
        }
    }

    /// The mode.
    pub(crate) fn mode(&self) -> CardMode {
        self.mode
    }

    pub(crate) fn set_mode(&mut self, mode: CardMode) {
        self.mode = mode;
    }

    /// All cards.
    pub(crate) fn list(&self) -> Vec<VirtualCard> {
        self.cards.values().cloned().collect()
    }

    /// Subscribes to insert/remove events.
    pub(crate) fn subscribe(&self) -> tokio::sync::broadcast::Receiver<CardEvent> {
        self.events.subscribe()
    }

    /// The card of a user (the first one), if any.
    pub(crate) fn card_of(&self, uid: &str) -> Option<&VirtualCard> {
        self.cards.values().find(|c| c.uid == uid)
    }

    /// Creates a card for `uid` (removed), or returns the existing one with that serial.
    pub(crate) fn create(&mut self, serial: Option<String>, uid: &str) -> VirtualCard {
        let serial = serial.unwrap_or_else(|| format!("VC{}", uid));
        self.cards
            .entry(serial.clone())
            .or_insert_with(|| VirtualCard {
                serial,
                uid: uid.to_owned(),
                inserted: false,
                series: DEFAULT_CARD_SERIES,
                card_key: new_card_key(),
            })
            .clone()
    }

    /// A card by serial.
    pub(crate) fn get(&self, serial: &str) -> Option<&VirtualCard> {
        self.cards.get(serial)
    }

    /// Sets a card's series; `None` when the card is unknown.
    pub(crate) fn set_series(&mut self, serial: &str, series: u8) -> Option<VirtualCard> {
        let card = self.cards.get_mut(serial)?;
        card.series = series;
        Some(card.clone())
    }

    /// Inserts a card; `None` when unknown.
    pub(crate) fn insert(&mut self, serial: &str) -> Option<VirtualCard> {
        let card = self.cards.get_mut(serial)?;
        card.inserted = true;
        let card = card.clone();
        let _ = self.events.send(CardEvent::Inserted {
            serial: card.serial.clone(),
            uid: card.uid.clone(),
        });
        Some(card)
    }

    /// Removes a card from the reader; `None` when unknown. The caller ends sessions in IA mode.
    pub(crate) fn remove(&mut self, serial: &str) -> Option<VirtualCard> {
        let card = self.cards.get_mut(serial)?;
        card.inserted = false;
        let card = card.clone();
        let _ = self.events.send(CardEvent::Removed {
            serial: card.serial.clone(),
            uid: card.uid.clone(),
        });
        Some(card)
    }
}
