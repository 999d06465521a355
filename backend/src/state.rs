//! What every handler can reach: the use cases' [`AppState`], named here for the router, the
//! benchmarks and the tests.

pub use crate::ops::AppState;
