//! opweek: record a police week of action event by event, and report its
//! tallies. The binary (`src/main.rs`) only parses arguments and maps errors
//! to exit codes; everything else lives in this library so it can be tested
//! and benchmarked in-process. See ARCHITECTURE.md for the module map.

pub mod chain;
pub mod cli;
pub mod commands;
pub mod csvio;
pub mod dates;
pub mod fields;
pub mod import;
pub mod measure;
pub mod model;
pub mod numbers;
pub mod output;
pub mod packs;
pub mod phrase;
pub mod report;
pub mod spreadsheet;
pub mod store;
pub mod suggest;
pub mod validate;
