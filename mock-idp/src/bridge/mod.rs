//! The virtual smartcard bridge: a local stand-in for the NHS Port Service and the per-user Credential
//! Management (CM) listener (cis2.md §12), on their own loopback listeners, separate from the IdP's.
//!
//! - Port Service listeners (`bridge.ports`, default one ephemeral port; the five published ports only when
//!   `bridge.published_ports` is set): `GET /PRS/ConnectPRService` and `GET /PRS/GetPortNumber`.
//! - The CM listener (`bridge.cm_port`, default ephemeral): `GET /cards/events`, a `text/event-stream` of
//!   virtual card-reader events (see [`events`]).
//!
//! Both answer CORS only for allow-listed web origins (`bridge.allowed_origins`), as the production CM does
//! (cis2.md §12.3), and answer Private Network Access preflights. Whether the Port Service finds the CM is
//! switchable through the admin API (`PUT /admin/api/bridge`), to exercise the published fault codes.

pub(crate) mod control;
pub(crate) mod cors;
pub(crate) mod events;
pub(crate) mod listeners;
pub(crate) mod port_service;
