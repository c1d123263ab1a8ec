//! The named types lowering has made so far, with an index by Rust name (lowering looks types
//! up by name while it is still adding them: aliases followed, defaults checked).

use crate::ir::TypeDef;
use std::collections::BTreeMap;

/// The types lowered so far, in the order they were made, and where each name stands.
#[derive(Debug, Default)]
pub(crate) struct TypeTable {
    defs: Vec<TypeDef>,
    /// Rust name → position in `defs`.
    index: BTreeMap<String, usize>,
}

impl TypeTable {
    /// Adds a type. Names are unique (the crate's type-name scope hands them out); should one
    /// come twice, the index keeps the first.
    pub fn push(&mut self, def: TypeDef) {
        self.index
            .entry(def.rust_name.clone())
            .or_insert(self.defs.len());
        self.defs.push(def);
    }

    /// The type named `name`.
    pub fn named(&self, name: &str) -> Option<&TypeDef> {
        self.defs.get(*self.index.get(name)?)
    }

    /// The type named `name`, to change (its name must stay).
    pub fn named_mut(&mut self, name: &str) -> Option<&mut TypeDef> {
        self.defs.get_mut(*self.index.get(name)?)
    }

    /// Every type, in the order they were made.
    pub fn iter(&self) -> std::slice::Iter<'_, TypeDef> {
        self.defs.iter()
    }

    /// Every type, to change in place (their names must stay: the index is not rebuilt).
    pub fn as_mut_slice(&mut self) -> &mut [TypeDef] {
        &mut self.defs
    }

    /// The types sorted by Rust name, as [`crate::ir::Api::types`] holds them.
    pub fn into_sorted(self) -> Vec<TypeDef> {
        let mut defs = self.defs;
        defs.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
        defs
    }
}

impl<'t> IntoIterator for &'t TypeTable {
    type Item = &'t TypeDef;
    type IntoIter = std::slice::Iter<'t, TypeDef>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
