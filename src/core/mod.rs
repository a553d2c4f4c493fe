//! The engine of webhook-dedup, shared by the headless mode and the terminal UI.
//!
//! It validates events, loads batches, keeps the id store and runs the dedup
//! pipeline. It never prints and never touches the terminal: it returns values
//! and typed errors, and the caller decides what to show.

pub mod escape;
pub mod event;
pub mod load;
pub mod mapping;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod store;
pub mod timestamp;
