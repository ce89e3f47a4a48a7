//! `.eh_frame`: call-frame information for every compiled function, so debuggers, profilers
//! and any DWARF unwinder (`gdb bt`, `perf record --call-graph dwarf`) walk through wasm frames
//! into the runtime and back. Cranelift gives each function's unwind information; this file
//! writes the common CIE and one FDE per function, with PC-relative relocations to the
//! function symbols (valid in static, PIE and shared outputs alike).
//!
//! Must never describe code it did not get unwind information for (no guessed frames), and
//! never write an absolute address (the section is read-only).

use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::isa::unwind::UnwindInfo;
use cranelift_module::FuncId;
use cranelift_object::ObjectProduct;
use gimli::write::{Address, EhFrame, FrameTable};
use object::write::StandardSection;

use super::gimli_sections::{self, RelocWriter, Targets};
use crate::error::Result;

/// Adds `.eh_frame` to `product` for `functions` (`(symbol, unwind information)`), if the
/// target has a System V CIE.
pub fn append(
    product: &mut ObjectProduct,
    isa: &dyn TargetIsa,
    functions: &[(FuncId, &UnwindInfo)],
) -> Result<()> {
    let Some(mut cie) = isa.create_systemv_cie() else {
        return Ok(());
    };
    cie.fde_address_encoding = gimli::DW_EH_PE_pcrel | gimli::DW_EH_PE_sdata4;
    let mut table = FrameTable::default();
    let cie_id = table.add_cie(cie);
    let mut symbols = Vec::new();
    for &(id, info) in functions {
        let UnwindInfo::SystemV(info) = info else {
            continue;
        };
        let symbol = Address::Symbol {
            symbol: symbols.len(),
            addend: 0,
        };
        symbols.push(product.function_symbol(id));
        table.add_fde(cie_id, info.to_fde(symbol));
    }
    if symbols.is_empty() {
        return Ok(());
    }
    let mut eh = EhFrame(RelocWriter::default());
    table
        .write_eh_frame(&mut eh)
        .map_err(|e| gimli_sections::write_error(".eh_frame", e))?;
    // A zero terminator, as linkers expect at the end of an input's .eh_frame.
    gimli::write::Writer::write(&mut eh.0, &[0; 4])
        .map_err(|e| gimli_sections::write_error(".eh_frame", e))?;
    let obj = &mut product.object;
    let section = obj.section_id(StandardSection::EhFrame);
    let targets = Targets {
        symbols: &symbols,
        sections: &[],
    };
    gimli_sections::append(obj, section, &eh.0, 8, &targets)
}
