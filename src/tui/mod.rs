//! The full-screen inspector: a batch replayed step by step against the store,
//! built on the core's [`Replay`](crate::core::pipeline::Replay).
//!
//! `app` keeps the state and applies actions, `keys` maps keys to actions, `ui`
//! draws, and `terminal` runs the loop on a real terminal or a test backend.

pub mod app;
pub mod keys;
pub mod terminal;
pub mod text;
pub mod ui;
