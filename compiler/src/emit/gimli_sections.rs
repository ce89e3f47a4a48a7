//! Writes sections that gimli builds (`.eh_frame`, `.debug_*`) into the object, turning every
//! symbol address and cross-section offset gimli wrote into a relocation: the linker places
//! our sections after the runtime's, so no address or offset is known before linking.
//!
//! Must never write an address or section offset as a plain number.

use gimli::write::{EndianVec, RelocateWriter, Relocation, RelocationTarget};
use gimli::{LittleEndian, SectionId};
use object::write::{Object, SectionId as ObjSection, SymbolId};
use object::{RelocationEncoding, RelocationFlags, RelocationKind};

use crate::error::{CompileError, Result};

/// A gimli writer that records relocations instead of resolving addresses.
#[derive(Clone, Debug)]
pub struct RelocWriter {
    pub bytes: EndianVec<LittleEndian>,
    pub relocs: Vec<Relocation>,
}

impl Default for RelocWriter {
    fn default() -> Self {
        RelocWriter {
            bytes: EndianVec::new(LittleEndian),
            relocs: Vec::new(),
        }
    }
}

impl RelocateWriter for RelocWriter {
    type Writer = EndianVec<LittleEndian>;

    fn writer(&self) -> &Self::Writer {
        &self.bytes
    }

    fn writer_mut(&mut self) -> &mut Self::Writer {
        &mut self.bytes
    }

    fn relocate(&mut self, relocation: Relocation) {
        self.relocs.push(relocation);
    }
}

/// Where the relocations of a written section point.
pub struct Targets<'a> {
    /// The object symbol of each gimli symbol index.
    pub symbols: &'a [SymbolId],
    /// The object section of each gimli section this write produced (for offsets into them).
    pub sections: &'a [(SectionId, ObjSection)],
}

/// Appends `writer`'s bytes to `section` and adds its relocations.
pub fn append(
    obj: &mut Object<'_>,
    section: ObjSection,
    writer: &RelocWriter,
    align: u64,
    targets: &Targets<'_>,
) -> Result<()> {
    let base = obj.append_section_data(section, writer.bytes.slice(), align);
    for r in &writer.relocs {
        let (symbol, addend) = match r.target {
            RelocationTarget::Symbol(i) => (
                *targets.symbols.get(i).ok_or_else(|| {
                    CompileError::Object(format!("debug information names unknown symbol {i}"))
                })?,
                r.addend,
            ),
            RelocationTarget::Section(id) => {
                let (_, s) = targets
                    .sections
                    .iter()
                    .find(|(sid, _)| *sid == id)
                    .ok_or_else(|| {
                        CompileError::Object(format!("offset into unwritten section {}", id.name()))
                    })?;
                (obj.section_symbol(*s), r.addend)
            }
        };
        let kind = match r.eh_pe {
            Some(pe) if pe.application() == gimli::DW_EH_PE_pcrel => RelocationKind::Relative,
            Some(pe) if pe.application() == gimli::DW_EH_PE_absptr => RelocationKind::Absolute,
            Some(pe) => {
                return Err(CompileError::Object(format!(
                    "unsupported pointer encoding {pe:?}"
                )));
            }
            None => RelocationKind::Absolute,
        };
        obj.add_relocation(
            section,
            object::write::Relocation {
                offset: base + r.offset as u64,
                symbol,
                addend,
                flags: RelocationFlags::Generic {
                    kind,
                    encoding: RelocationEncoding::Generic,
                    size: r.size * 8,
                },
            },
        )
        .map_err(|e| CompileError::Object(format!("{} relocation: {e}", obj_name(obj, section))))?;
    }
    Ok(())
}

fn obj_name(obj: &Object<'_>, section: ObjSection) -> String {
    obj.section(section).name().unwrap_or("?").to_string()
}

/// Writes every non-empty section of `sections` as a debug section of the object.
pub fn append_debug_sections(
    obj: &mut Object<'_>,
    sections: &gimli::write::Sections<RelocWriter>,
    symbols: &[SymbolId],
) -> Result<()> {
    let mut written: Vec<(SectionId, ObjSection, &RelocWriter)> = Vec::new();
    sections
        .for_each(|id, w| -> std::result::Result<(), ()> {
            if !w.bytes.slice().is_empty() {
                let s = obj.add_section(
                    Vec::new(),
                    id.name().as_bytes().to_vec(),
                    object::SectionKind::Debug,
                );
                written.push((id, s, w));
            }
            Ok(())
        })
        .expect("the closure never fails");
    let ids: Vec<(SectionId, ObjSection)> = written.iter().map(|(a, b, _)| (*a, *b)).collect();
    let targets = Targets {
        symbols,
        sections: &ids,
    };
    for (_, s, w) in written {
        append(obj, s, w, 1, &targets)?;
    }
    Ok(())
}

/// A gimli write error, as an object error naming what was being written.
pub fn write_error(what: &str, e: gimli::write::Error) -> CompileError {
    CompileError::Object(format!("{what}: {e}"))
}
