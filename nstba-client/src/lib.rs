//! Async NetSuite client: records, SuiteQL, RESTlets and token endpoints, every request signed by
//! [`nstba_core`]. (Filled in by the nstba-client issue.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
