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
            })
            .clone()
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
