//! The source positions the runtime prints in trap backtraces: for each trap site and call of
//! a compiled function, the file, line and column of the wasm instruction it came from, in the
//! descriptor's form (`wasmaot_abi::descriptor::SourceLine`, files indexed into
//! [`SourceMap::files`]).
//!
//! Must never give a position for a site whose wasm instruction has none.

use wasmaot_abi::descriptor::SourceLine;

use super::source_map::SourceMap;
use crate::codegen::compile::FunctionDebug;

/// The source lines of `debug`'s sites, sorted by key.
pub fn source_lines(map: &SourceMap, debug: &FunctionDebug) -> Vec<SourceLine> {
    debug
        .sites
        .iter()
        .filter_map(|&(key, wasm)| {
            let row = map.row_at_file_offset(wasm)?;
            Some(SourceLine {
                key,
                file: row.file,
                line: row.line,
                column: row.column,
            })
        })
        .collect()
}
