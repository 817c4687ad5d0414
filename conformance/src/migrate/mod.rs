//! `cis2-migrate check`: how ready a supplier's CIS1 app is to move to CIS2 before CIS1 Authentication is
//! retired (28 February 2027). From an annotated `migrate.toml` ([`MigrateConfig`]) it reports each CIS1
//! attribute → its CIS2 claim with its certainty mark (from `cis2_sdk::cis1::MAPPING`, the one table), the
//! role codes, activities and workgroups the app checks, missing or weak registration choices, smartcard users
//! who need Smartcard Connect or are on series 10 cards, and, given the app's `rp.toml`, the conformance
//! suite's back-channel logout and role scenarios against it. Terminal text, HTML and JSON.
//!
//! ```
//! use cis2_conformance::migrate::{MigrateConfig, check, init, render_text};
//!
//! let cfg = MigrateConfig::parse(init::TEMPLATE, "migrate.toml").unwrap();
//! let today = time::Date::from_calendar_date(2026, time::Month::June, 1).unwrap();
//! let report = check(&cfg, today, None);
//! assert_eq!(report.days_left, 272);
//! assert!(render_text(&report).contains("nhsid_nrbac_roles[].role_code"));
//! ```

mod analyse;
pub mod cli;
pub mod conformance;
pub mod dates;
mod html;
pub mod init;
mod input;
mod mapping;
pub mod model;
mod names;
mod registration;
mod smartcards;
mod text;
mod write;

pub use analyse::check;
pub use html::render_html;
pub use input::{
    AUTH_METHODS, AppSection, CardGroup, Cis1Section, Cis2Section, ConformanceSection, InputError,
    MigrateConfig, UsersSection,
};
pub use model::{Finding, Level, MigrateReport};
pub use text::render_text;
pub use write::{HTML_FILE, JSON_FILE, json_schema, render_json, write_all};
