//! placeholder
#![forbid(unsafe_code)]
pub use nstba_client as client;
pub use nstba_core as core;
