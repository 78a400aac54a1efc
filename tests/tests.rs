//! Integration tests: each module drives the real `opweek` binary against a
//! temporary database through `env::TestEnv`.

mod env;

mod core;
mod hardening_files;
mod hardening_input;
mod hardening_output;
mod import;
mod integrity;
mod layers;
mod leftovers;
mod measures_report;
mod packs;
mod page;
mod pg_bulk;
mod pg_harness;
mod reimport;
mod reports;
mod server;
mod shell;
mod signoff;
mod speed_structure;
mod spreadsheets;
mod structure;
mod trial_analyst;
mod trial_reports;
