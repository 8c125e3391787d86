//! floktu: a keyboard-driven terminal explorer for the Floktu ticketing API.
//!
//! The binary (`src/main.rs`) is a thin shell over this library so that
//! integration tests and benchmarks can drive the same code.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![warn(unreachable_pub)]

pub mod api;
pub mod auth;
pub mod cache;
mod child;
pub mod cli;
pub mod config;
pub mod demo;
pub mod guestlist;
pub mod ledger;
pub mod output;
pub mod private;
pub mod search;
pub mod text;
pub mod tui;
