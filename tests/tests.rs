//! Integration tests: each module drives the real `opweek` binary against a
//! temporary database through `env::TestEnv`.

mod env;

mod core;
mod import;
mod integrity;
mod reports;
mod speed_structure;
