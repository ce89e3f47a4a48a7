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
use gimli::write::{Address, EhFrame, Error, FrameTable, Writer};
use gimli::{DwEhPe, LittleEndian};
use object::write::{Relocation, StandardSection};
use object::{RelocationEncoding, RelocationFlags, RelocationKind};

use crate::error::{CompileError, Result};

/// A gimli writer that turns symbol addresses into relocations.
struct RelocatingWriter {
    bytes: Vec<u8>,
    /// `(offset, symbol index, addend)` of each 32-bit PC-relative field.
    relocs: Vec<(usize, usize, i64)>,
}

impl Writer for RelocatingWriter {
    type Endian = LittleEndian;

    fn endian(&self) -> LittleEndian {
        LittleEndian
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn write(&mut self, bytes: &[u8]) -> gimli::write::Result<()> {
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8]) -> gimli::write::Result<()> {
        let end = offset + bytes.len();
        if end > self.bytes.len() {
            return Err(Error::OffsetOutOfBounds);
        }
        self.bytes[offset..end].copy_from_slice(bytes);
        Ok(())
    }

    fn write_eh_pointer(
        &mut self,
        address: Address,
        eh_pe: DwEhPe,
        size: u8,
    ) -> gimli::write::Result<()> {
        match address {
            Address::Symbol { symbol, addend }
                if eh_pe == gimli::DW_EH_PE_pcrel | gimli::DW_EH_PE_sdata4 =>
            {
                self.relocs.push((self.bytes.len(), symbol, addend));
                self.bytes.extend_from_slice(&[0; 4]);
                Ok(())
            }
            Address::Symbol { .. } => Err(Error::UnsupportedPointerEncoding(eh_pe)),
            Address::Constant(_) => {
                let _ = size;
                Err(Error::InvalidAddress)
            }
        }
    }
}

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
    let mut eh = EhFrame(RelocatingWriter {
        bytes: Vec::new(),
        relocs: Vec::new(),
    });
    table
        .write_eh_frame(&mut eh)
        .map_err(|e| CompileError::Object(format!(".eh_frame: {e}")))?;
    // A zero terminator, as linkers expect at the end of an input's .eh_frame.
    eh.0.bytes.extend_from_slice(&[0; 4]);
    let obj = &mut product.object;
    let section = obj.section_id(StandardSection::EhFrame);
    let offset = obj.append_section_data(section, &eh.0.bytes, 8);
    for (at, symbol, addend) in eh.0.relocs {
        obj.add_relocation(
            section,
            Relocation {
                offset: offset + at as u64,
                symbol: symbols[symbol],
                addend,
                flags: RelocationFlags::Generic {
                    kind: RelocationKind::Relative,
                    encoding: RelocationEncoding::Generic,
                    size: 32,
                },
            },
        )
        .map_err(|e| CompileError::Object(format!(".eh_frame relocation: {e}")))?;
    }
    Ok(())
}
