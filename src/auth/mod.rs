//! Where the access token comes from and where it is kept.

pub mod store;
