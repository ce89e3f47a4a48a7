//! Unit tests of the DWARF reader and writer: a wasm DWARF built with gimli (one unit, a live
//! and a dead line sequence, a subprogram) is read into a [`SourceMap`], and native DWARF
//! built from it is read back.

use gimli::write::{
    Address, AttributeValue, Dwarf, EndianVec, LineProgram, LineString, Sections, Unit,
};
use gimli::{Encoding, Format, LineEncoding, LittleEndian};

use super::native::{NativeFunction, build};
use super::source_map::SourceMap;
use crate::codegen::compile::FunctionDebug;
use crate::emit::gimli_sections::RelocWriter;
use crate::module::DwarfSections;

/// The wasm DWARF of one unit `prog.c` in `/src`: a function at wasm address 0x10..0x30 with
/// rows at 0x10 (line 3), 0x18 (line 4), 0x20 (line 0: no source) and 0x24 (line 5), and a
/// dead function's sequence at address 0 (line 99).
fn wasm_dwarf() -> Vec<(&'static str, Vec<u8>)> {
    let encoding = Encoding {
        format: Format::Dwarf32,
        version: 4,
        address_size: 4,
    };
    let mut program = LineProgram::new(
        encoding,
        LineEncoding::default(),
        LineString::String(b"/src".to_vec()),
        None,
        LineString::String(b"prog.c".to_vec()),
        None,
    );
    let dir = program.default_directory();
    let file = program.add_file(LineString::String(b"prog.c".to_vec()), dir, None);
    let mut sequence = |start: u64, rows: &[(u64, u64)], end: u64| {
        program.begin_sequence(Some(Address::Constant(start)));
        for &(at, line) in rows {
            let r = program.row();
            r.address_offset = at - start;
            r.file = file;
            r.line = line;
            program.generate_row();
        }
        program.end_sequence(end - start);
    };
    sequence(0x10, &[(0x10, 3), (0x18, 4), (0x20, 0), (0x24, 5)], 0x30);
    sequence(0, &[(0, 99)], 0x8);
    let mut dwarf = Dwarf::new();
    let id = dwarf.units.add(Unit::new(encoding, program));
    let name = dwarf.strings.add("prog.c");
    let comp_dir = dwarf.strings.add("/src");
    let func = dwarf.strings.add("compute");
    let unit = dwarf.units.get_mut(id);
    let root = unit.root();
    let root_entry = unit.get_mut(root);
    root_entry.set(gimli::DW_AT_name, AttributeValue::StringRef(name));
    root_entry.set(gimli::DW_AT_comp_dir, AttributeValue::StringRef(comp_dir));
    let sub = unit.add(root, gimli::DW_TAG_subprogram);
    let entry = unit.get_mut(sub);
    entry.set(gimli::DW_AT_name, AttributeValue::StringRef(func));
    entry.set(
        gimli::DW_AT_low_pc,
        AttributeValue::Address(Address::Constant(0x10)),
    );
    entry.set(gimli::DW_AT_high_pc, AttributeValue::Udata(0x20));
    entry.set(gimli::DW_AT_decl_line, AttributeValue::Udata(2));
    entry.set(gimli::DW_AT_external, AttributeValue::Flag(true));
    let mut sections = Sections::new(EndianVec::new(LittleEndian));
    dwarf.write(&mut sections).unwrap();
    let mut out = Vec::new();
    sections
        .for_each(|id, w| -> Result<(), ()> {
            out.push((id.name(), w.slice().to_vec()));
            Ok(())
        })
        .unwrap();
    out
}

fn source_map(sections: &[(&'static str, Vec<u8>)]) -> SourceMap {
    let dwarf = DwarfSections {
        code_section_start: 1000,
        sections: sections.iter().map(|(n, d)| (*n, &d[..])).collect(),
    };
    SourceMap::read(&dwarf, 0x100)
}

#[test]
fn rows_cover_their_addresses_and_dead_or_lineless_code_maps_to_nothing() {
    let sections = wasm_dwarf();
    let map = source_map(&sections);
    assert_eq!(map.files, vec!["/src/prog.c".to_string()]);
    let line = |a: u64| map.row(a).map(|r| r.line);
    assert_eq!(line(0x10), Some(3));
    assert_eq!(line(0x17), Some(3));
    assert_eq!(line(0x18), Some(4));
    assert_eq!(line(0x20), None, "line 0 is no source line");
    assert_eq!(line(0x2f), Some(5));
    assert_eq!(line(0x30), None);
    assert_eq!(line(0x4), None, "the dead sequence at address 0 is dropped");
    // File offsets are code-section-relative addresses plus the section's start.
    assert_eq!(map.row_at_file_offset(1000 + 0x18).map(|r| r.line), Some(4));
    assert!(map.row_at_file_offset(10).is_none());
    let sub = map.subprogram(0x10).expect("the subprogram at 0x10");
    assert_eq!(sub.name.as_deref(), Some("compute"));
    assert_eq!(sub.decl_line, Some(2));
    assert!(sub.external);
}

#[test]
fn native_line_program_follows_the_machine_code() {
    let sections = wasm_dwarf();
    let map = source_map(&sections);
    // Machine code: a prologue with no origin, then code from 0x18 (line 4), 0x10 (line 3,
    // after block reordering) and 0x24 (line 5).
    let debug = FunctionDebug {
        ranges: vec![
            (4, 10, 1000 + 0x18),
            (10, 20, 1000 + 0x10),
            (20, 30, 1000 + 0x24),
        ],
        sites: Vec::new(),
    };
    let functions = [NativeFunction {
        symbol: 0,
        code_len: 32,
        debug: &debug,
        body_address: 0x10,
        name: Some("ignored"),
    }];
    let mut dwarf = build(&map, &functions).expect("the function has lines");
    let mut out = Sections::new(RelocWriter::default());
    dwarf.write(&mut out).unwrap();
    // Resolve the relocations as a linker would, with the function's symbol at address 0.
    let mut resolved = std::collections::HashMap::new();
    out.for_each(|id, w| -> Result<(), ()> {
        let mut bytes = w.bytes.slice().to_vec();
        for r in &w.relocs {
            let value = r.addend as u64;
            let at = r.offset;
            bytes[at..at + r.size as usize]
                .copy_from_slice(&value.to_le_bytes()[..r.size as usize]);
        }
        resolved.insert(id, bytes);
        Ok(())
    })
    .unwrap();

    let read = gimli::Dwarf::load(|id| -> Result<_, gimli::Error> {
        let bytes = resolved.get(&id).map_or(&[][..], Vec::as_slice);
        Ok(gimli::EndianSlice::new(bytes, LittleEndian))
    })
    .unwrap();
    let header = read.units().next().unwrap().unwrap();
    let unit = read.unit(header).unwrap();
    let mut rows = unit.line_program.clone().unwrap().rows();
    let mut got = Vec::new();
    while let Some((_, row)) = rows.next_row().unwrap() {
        got.push((
            row.address(),
            row.line().map_or(0, |l| l.get()),
            row.end_sequence(),
        ));
    }
    // The opening line at 0, then each change; the symbol's address is 0 before relocation.
    assert_eq!(
        got,
        vec![
            (0, 3, false),
            (4, 4, false),
            (10, 3, false),
            (20, 5, false),
            (32, 5, true)
        ]
    );
    let mut entries = unit.entries();
    let mut names = Vec::new();
    while let Some(e) = entries.next_dfs().unwrap() {
        if e.tag() == gimli::DW_TAG_subprogram {
            let v = e.attr_value(gimli::DW_AT_name).unwrap();
            names.push(
                read.attr_string(&unit, v)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert_eq!(names, vec!["compute".to_string()], "DWARF's name wins");
}
