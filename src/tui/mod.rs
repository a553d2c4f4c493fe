//! The full-screen inspector: a batch replayed step by step against the store,
//! built on the core's [`Replay`](crate::core::pipeline::Replay).
//!
//! `app` keeps the state and applies actions (the types it uses live in `state`,
//! the cached detail of the selected event in `detail`), `keys` maps keys to
//! actions, `ui` draws, and `terminal` runs the loop on a real terminal or a
//! test backend.

pub mod app;
mod detail;
pub mod keys;
mod state;
pub mod terminal;
pub mod text;
pub mod ui;
