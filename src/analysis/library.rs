//! Which async library a module uses, from its imports.

use crate::scope::{BindingKind, ScopeModel};

/// The async libraries a module imports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Libraries {
    pub asyncio: bool,
    pub trio: bool,
    pub anyio: bool,
}

impl Libraries {
    pub fn of(model: &ScopeModel<'_>) -> Self {
        let mut libraries = Libraries::default();
        for id in 0..model.binding_count() {
            let binding = model.binding(crate::scope::BindingId::from_index(id));
            if let BindingKind::Import { qualified } = &binding.kind {
                let root = qualified.split('.').next().unwrap_or("");
                match root {
                    "asyncio" => libraries.asyncio = true,
                    "trio" => libraries.trio = true,
                    "anyio" => libraries.anyio = true,
                    _ => {}
                }
            }
        }
        libraries
    }

    pub fn any(self) -> bool {
        self.asyncio || self.trio || self.anyio
    }

    /// The library whose idioms a message should suggest: trio or anyio when imported,
    /// else asyncio.
    pub fn preferred(self) -> &'static str {
        if self.trio {
            "trio"
        } else if self.anyio {
            "anyio"
        } else {
            "asyncio"
        }
    }
}
