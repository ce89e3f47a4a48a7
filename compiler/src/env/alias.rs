//! Alias regions: the disjoint kinds of memory compiled code touches, tagged on every load and
//! store so that Cranelift's alias analysis knows a store to one kind never changes another.
//! With them a `global.set` of Go's stack pointer no longer makes the optimiser forget a value
//! it loaded from linear memory, and a store to linear memory no longer forces a global to be
//! reloaded (redundant-load elimination, store-to-load forwarding, dead-store elimination).
//!
//! Must never put two accesses that can touch the same byte in different regions: every region
//! below is a separate allocation, except that two imported globals may name the same slot, so
//! they share one region. The region ids are the same in every function (inlining merges them).

use std::borrow::Cow;

use cranelift_codegen::ir::{self, AliasRegion, AliasRegionData, MemFlagsData};

use super::FuncEnv;

/// What a memory access touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// Linear memory (wasm 2.0 has at most one memory).
    Memory,
    /// Table elements (the runtime's element arrays).
    TableElements,
    /// Every imported global: two imports may be the same global, so they share a region.
    ImportedGlobals,
    /// Defined global `index` (its own slot in the vmctx).
    DefinedGlobal(u32),
}

impl Region {
    /// The region's id, the same in every function of every module.
    fn user_id(self) -> u32 {
        match self {
            Region::Memory => 1,
            Region::TableElements => 2,
            Region::ImportedGlobals => 3,
            Region::DefinedGlobal(i) => 16 + i,
        }
    }

    fn description(self) -> Cow<'static, str> {
        match self {
            Region::Memory => Cow::Borrowed("linear memory"),
            Region::TableElements => Cow::Borrowed("table elements"),
            Region::ImportedGlobals => Cow::Borrowed("imported globals"),
            Region::DefinedGlobal(i) => Cow::Owned(format!("global {i}")),
        }
    }
}

impl FuncEnv<'_> {
    /// `flags` tagged with `region` (registered in `func` on first use).
    pub(super) fn in_region(
        &mut self,
        func: &mut ir::Function,
        flags: MemFlagsData,
        region: Region,
    ) -> MemFlagsData {
        let r: AliasRegion = func.dfg.alias_regions.insert(AliasRegionData {
            user_id: region.user_id(),
            description: region.description(),
        });
        flags.with_alias_region(Some(r))
    }
}
