//! Where the access token comes from and where it is kept, and the OAuth handoff.

pub mod account;
pub mod login;
pub mod loopback;
pub mod store;
