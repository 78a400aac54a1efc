//! Integration tests: each module drives the real `opweek` binary against a
//! temporary database through `env::TestEnv`.

mod env;

mod core;
mod hardening_output;
mod hardening_files;
mod hardening_input;
mod import;
mod integrity;
mod reports;
