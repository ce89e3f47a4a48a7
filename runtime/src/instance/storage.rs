//! Instantiation step: the module's defined tables and memories, created at their minimum
//! size, and the definition pointer of every table and memory (imported ones included) in the
//! vmctx, plus memory 0's base and definition in the fixed prefix.
//!
//! Must never move a table or memory once its definition pointer is written (compiled code
//! holds it), and never create an imported one (the imports step put those in place).

use wasmaot_abi::vmctx::VmOffsets;

use super::data::InstanceData;
use super::error::InstantiationError;
use crate::memory::{LinearMemory, VMMemoryDefinition};
use crate::table::{Table, VMTableDefinition};

/// Creates the defined tables and memories, then writes every definition pointer.
pub(super) fn create(d: &mut InstanceData) -> Result<(), InstantiationError> {
    create_tables(d)?;
    create_memories(d)?;
    write_table_definitions(d);
    write_memory_definitions(d);
    Ok(())
}

fn create_tables(d: &mut InstanceData) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    for i in c.num_imported_tables..c.num_tables {
        let t = &d.view.tables()[i as usize];
        let mut table = Table::new(t.min, t.max, t.elem_type).map_err(InstantiationError::Table)?;
        table.set_refs(super::view::bytes(&t.refs));
        table.set_index64(t.index64 != 0);
        d.tables[i as usize] = Box::into_raw(table);
    }
    Ok(())
}

fn create_memories(d: &mut InstanceData) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    for i in c.num_imported_memories..c.num_memories {
        let md = &d.view.memories()[i as usize];
        let memory = LinearMemory::with_index_type(md.min_pages, md.max_pages, md.index64 != 0)?;
        d.memories[i as usize] = Box::into_raw(memory);
    }
    Ok(())
}

fn write_table_definitions(d: &mut InstanceData) {
    let o = d.offsets;
    for i in 0..o.counts.num_tables {
        // SAFETY: a live table; `Table::definition` is its first field.
        let def: *mut VMTableDefinition = unsafe { (*d.tables[i as usize]).definition() };
        // SAFETY: table(i) for i < num_tables, from this module's `VmOffsets`, within the vmctx.
        unsafe { d.write(o.table(i), def) };
    }
}

fn write_memory_definitions(d: &mut InstanceData) {
    let o = d.offsets;
    for i in 0..o.counts.num_memories {
        // SAFETY: a live memory.
        let def: *mut VMMemoryDefinition = unsafe { (*d.memories[i as usize]).definition() };
        // SAFETY: memory(i) for i < num_memories and the fixed prefix's memory-0 fields, from
        // `VmOffsets`, within the vmctx; `def` is a live memory's definition.
        unsafe {
            d.write(o.memory(i), def);
            if i == 0 {
                d.write(VmOffsets::MEMORY0_BASE, (*def).base);
                d.write(VmOffsets::MEMORY0_DEF, def);
            }
        }
    }
}
