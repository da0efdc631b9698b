//! NetSuite emulator that verifies Token-Based Authentication like NetSuite does. (Filled in by the
//! nstba-mock issue.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
