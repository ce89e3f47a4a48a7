//! Builds the native DWARF of compiled code from the wasm DWARF's [`SourceMap`]: per source
//! compilation unit, a compile unit with a line program that maps machine-code addresses to
//! the source lines their wasm instructions came from, and one `DW_TAG_subprogram` per
//! function (name, code range, declaration). Types and variables are not translated: their
//! locations are wasm locals and the wasm stack, which native code does not have.
//!
//! Must never describe an address outside a function's code, and never emit a row for code
//! whose wasm origin has no source position (it would claim a wrong line).

use std::collections::HashMap;

use gimli::write::{
    Address, AttributeValue, DirectoryId, Dwarf, Expression, FileId, LineProgram, LineString,
    Range, RangeList, Unit, UnitId,
};
use gimli::{Encoding, Format, LineEncoding};

use super::source_map::{LineRow, SourceMap};
use crate::codegen::compile::FunctionDebug;

/// A compiled function, as the debug information sees it.
pub struct NativeFunction<'a> {
    /// Index of the function's symbol in the caller's symbol table (gimli `Address::Symbol`).
    pub symbol: usize,
    pub code_len: u64,
    pub debug: &'a FunctionDebug,
    /// DWARF (code-section-relative) address of the function's body.
    pub body_address: u64,
    /// Its name from the name section, if any (for functions DWARF does not name).
    pub name: Option<&'a str>,
}

/// One output compile unit being built.
struct OutUnit {
    id: UnitId,
    files: HashMap<u32, FileId>,
    directories: HashMap<String, DirectoryId>,
    ranges: Vec<Range>,
}

/// The native DWARF for `functions`, or `None` when none of them has a source position.
pub fn build(map: &SourceMap, functions: &[NativeFunction<'_>]) -> Option<Dwarf> {
    let encoding = Encoding {
        format: Format::Dwarf32,
        version: 4,
        address_size: 8,
    };
    let mut dwarf = Dwarf::new();
    let mut units: HashMap<u32, OutUnit> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    for f in functions {
        let rows: Vec<(u32, &LineRow)> = f
            .debug
            .ranges
            .iter()
            .filter_map(|&(start, _, wasm)| Some((start, map.row_at_file_offset(wasm)?)))
            .collect();
        let Some(&(_, first)) = rows.first() else {
            continue;
        };
        let opening = map.row(f.body_address).unwrap_or(first);
        let unit_index = first.unit;
        let out = units.entry(unit_index).or_insert_with(|| {
            order.push(unit_index);
            new_unit(&mut dwarf, map, unit_index, encoding)
        });
        let unit = dwarf.units.get_mut(out.id);
        let symbol = Address::Symbol {
            symbol: f.symbol,
            addend: 0,
        };

        // The line program: the function's opening line at its first byte (the prologue), then
        // a row wherever the source position changes.
        let program = &mut unit.line_program;
        program.begin_sequence(Some(symbol));
        let mut last = None;
        for (offset, row) in std::iter::once((0, opening)).chain(rows.iter().copied()) {
            let key = (row.file, row.line, row.column);
            if last == Some(key) {
                continue;
            }
            last = Some(key);
            let file = file_id(program, out, map, row.file);
            let r = program.row();
            r.address_offset = offset as u64;
            r.file = file;
            r.line = row.line as u64;
            r.column = row.column as u64;
            r.is_statement = true;
            program.generate_row();
        }
        program.end_sequence(f.code_len);
        out.ranges.push(Range::StartLength {
            begin: symbol,
            length: f.code_len,
        });

        // The subprogram.
        let sub = map.subprogram(f.body_address);
        let name = sub
            .and_then(|s| s.name.as_deref().or(s.linkage_name.as_deref()))
            .or(f.name);
        let decl_file = sub
            .and_then(|s| s.decl_file)
            .map(|file| file_id(&mut unit.line_program, out, map, file));
        let root = unit.root();
        let die = unit.add(root, gimli::DW_TAG_subprogram);
        let entry = unit.get_mut(die);
        if let Some(name) = name {
            entry.set(gimli::DW_AT_name, string(&mut dwarf.strings, name));
        }
        if let Some(linkage) = sub.and_then(|s| s.linkage_name.as_deref()) {
            entry.set(
                gimli::DW_AT_linkage_name,
                string(&mut dwarf.strings, linkage),
            );
        }
        entry.set(gimli::DW_AT_low_pc, AttributeValue::Address(symbol));
        entry.set(gimli::DW_AT_high_pc, AttributeValue::Udata(f.code_len));
        if let Some(file) = decl_file {
            entry.set(
                gimli::DW_AT_decl_file,
                AttributeValue::FileIndex(Some(file)),
            );
        }
        if let Some(line) = sub.and_then(|s| s.decl_line) {
            entry.set(gimli::DW_AT_decl_line, AttributeValue::Udata(line as u64));
        }
        if sub.is_none_or(|s| s.external) {
            entry.set(gimli::DW_AT_external, AttributeValue::FlagPresent);
        }
        let mut frame_base = Expression::new();
        frame_base.op(gimli::DW_OP_call_frame_cfa);
        entry.set(gimli::DW_AT_frame_base, AttributeValue::Exprloc(frame_base));
    }
    if order.is_empty() {
        return None;
    }
    for index in order {
        let out = units.remove(&index).expect("every ordered unit exists");
        let unit = dwarf.units.get_mut(out.id);
        let ranges = unit.ranges.add(RangeList(out.ranges));
        let root = unit.root();
        let entry = unit.get_mut(root);
        entry.set(
            gimli::DW_AT_low_pc,
            AttributeValue::Address(Address::Constant(0)),
        );
        entry.set(gimli::DW_AT_ranges, AttributeValue::RangeListRef(ranges));
    }
    Some(dwarf)
}

/// A new compile unit for source unit `index`, with its name, directory, producer and
/// language.
fn new_unit(dwarf: &mut Dwarf, map: &SourceMap, index: u32, encoding: Encoding) -> OutUnit {
    let source = &map.units[index as usize];
    let comp_dir = source.comp_dir.clone().filter(|d| !d.is_empty());
    let name = source.name.clone().filter(|n| !n.is_empty());
    let program = LineProgram::new(
        encoding,
        LineEncoding::default(),
        LineString::String(comp_dir.clone().unwrap_or_else(|| "/".into()).into_bytes()),
        None,
        LineString::String(
            name.clone()
                .unwrap_or_else(|| "<unknown>".into())
                .into_bytes(),
        ),
        None,
    );
    let id = dwarf.units.add(Unit::new(encoding, program));
    let producer = match &source.producer {
        Some(p) => format!("{p}; native code by wasmaot {}", env!("CARGO_PKG_VERSION")),
        None => format!("wasmaot {}", env!("CARGO_PKG_VERSION")),
    };
    let producer = string(&mut dwarf.strings, &producer);
    let name = name.map(|n| string(&mut dwarf.strings, &n));
    let comp_dir = comp_dir.map(|d| string(&mut dwarf.strings, &d));
    let unit = dwarf.units.get_mut(id);
    let root = unit.root();
    let entry = unit.get_mut(root);
    entry.set(gimli::DW_AT_producer, producer);
    if let Some(n) = name {
        entry.set(gimli::DW_AT_name, n);
    }
    if let Some(d) = comp_dir {
        entry.set(gimli::DW_AT_comp_dir, d);
    }
    if let Some(l) = source.language {
        entry.set(gimli::DW_AT_language, AttributeValue::Language(l));
    }
    OutUnit {
        id,
        files: HashMap::new(),
        directories: HashMap::new(),
        ranges: Vec::new(),
    }
}

/// The line program's id of source file `file` (a [`SourceMap::files`] index), added on
/// first use.
fn file_id(program: &mut LineProgram, out: &mut OutUnit, map: &SourceMap, file: u32) -> FileId {
    if let Some(&id) = out.files.get(&file) {
        return id;
    }
    let path = std::path::Path::new(&map.files[file as usize]);
    let dir = path
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .filter(|d| !d.is_empty());
    let base = path.file_name().map_or_else(
        || map.files[file as usize].clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    let dir_id = match dir {
        Some(d) => *out
            .directories
            .entry(d.clone())
            .or_insert_with(|| program.add_directory(LineString::String(d.into_bytes()))),
        None => program.default_directory(),
    };
    let id = program.add_file(LineString::String(base.into_bytes()), dir_id, None);
    out.files.insert(file, id);
    id
}

fn string(strings: &mut gimli::write::StringTable, s: &str) -> AttributeValue {
    AttributeValue::StringRef(strings.add(s.as_bytes()))
}
