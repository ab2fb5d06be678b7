//! Questions runtime rules ask about calls and values, answered from the scope model and
//! from tables of what libraries' functions are. Rules use these; they never walk the
//! tree or track scopes themselves.

pub mod blocking;
pub mod calls;
pub mod cancellation;
pub mod checkpoints;
pub mod knowledge;
pub mod library;
