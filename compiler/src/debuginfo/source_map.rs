//! Reads a module's wasm DWARF into a [`SourceMap`]: which source file, line and column each
//! code address came from (the line programs), what each compilation unit is called, and what
//! each function's `DW_TAG_subprogram` says about it. Addresses here are DWARF's wasm
//! addresses: offsets from the start of the code section's contents.
//!
//! Must never fail the compile: DWARF is optional information, so a unit or section that does
//! not parse is skipped (what parsed before it is kept), and never trust an address range it
//! has not checked against the code section.

use std::collections::HashMap;

use gimli::{EndianSlice, LittleEndian};

use crate::module::DwarfSections;

type Reader<'a> = EndianSlice<'a, LittleEndian>;

/// One compilation unit of the wasm DWARF.
#[derive(Debug, Clone, Default)]
pub struct SourceUnit {
    pub name: Option<String>,
    pub comp_dir: Option<String>,
    pub producer: Option<String>,
    pub language: Option<gimli::DwLang>,
}

/// A row of a line table, covering the addresses `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRow {
    pub start: u64,
    pub end: u64,
    /// Index into [`SourceMap::units`].
    pub unit: u32,
    /// Index into [`SourceMap::files`].
    pub file: u32,
    pub line: u32,
    /// 0: unknown.
    pub column: u32,
}

/// What a `DW_TAG_subprogram` with code says about its function.
#[derive(Debug, Clone, Default)]
pub struct Subprogram {
    pub name: Option<String>,
    pub linkage_name: Option<String>,
    /// Index into [`SourceMap::files`].
    pub decl_file: Option<u32>,
    pub decl_line: Option<u32>,
    /// `DW_AT_external`: visible outside its compilation unit.
    pub external: bool,
}

/// The source positions of a module's code.
#[derive(Debug, Default)]
pub struct SourceMap {
    pub units: Vec<SourceUnit>,
    /// Full paths of every source file named by a line table, deduplicated.
    pub files: Vec<String>,
    /// Sorted by `start`; rows of different sequences never overlap (sequences that would are
    /// dropped).
    rows: Vec<LineRow>,
    /// By the wasm address of the function's code (`DW_AT_low_pc`).
    subprograms: HashMap<u64, Subprogram>,
    /// File offset of the code section's contents (DWARF address 0).
    pub code_section_start: u64,
}

impl SourceMap {
    /// Reads `dwarf`; `code_len` is the code section's contents' length (addresses at or past
    /// it are dead code that the linker left in the DWARF).
    pub fn read(dwarf: &DwarfSections<'_>, code_len: u64) -> SourceMap {
        let mut map = SourceMap {
            code_section_start: dwarf.code_section_start,
            ..SourceMap::default()
        };
        let load = |id: gimli::SectionId| -> Result<Reader<'_>, gimli::Error> {
            Ok(EndianSlice::new(dwarf.section(id.name()), LittleEndian))
        };
        let Ok(d) = gimli::Dwarf::load(load) else {
            return map;
        };
        let mut files = HashMap::new();
        let mut headers = d.units();
        while let Ok(Some(header)) = headers.next() {
            let Ok(unit) = d.unit(header) else { continue };
            let _ = map.read_unit(&d, &unit, &mut files, code_len);
        }
        map.finish_rows();
        map
    }

    fn read_unit<'d>(
        &mut self,
        d: &gimli::Dwarf<Reader<'d>>,
        unit: &gimli::Unit<Reader<'d>>,
        files: &mut HashMap<String, u32>,
        code_len: u64,
    ) -> gimli::Result<()> {
        let unit_ref = unit.unit_ref(d);
        let string = |v: Option<gimli::AttributeValue<Reader<'d>>>| attr_text(&unit_ref, v?);
        let index = self.units.len() as u32;
        let mut entries = unit.entries();
        let Some(root) = entries.next_dfs()? else {
            return Ok(());
        };
        let comp_dir = unit
            .comp_dir
            .map(|r| String::from_utf8_lossy(r.slice()).into_owned());
        self.units.push(SourceUnit {
            name: unit
                .name
                .map(|r| String::from_utf8_lossy(r.slice()).into_owned()),
            comp_dir: comp_dir.clone(),
            producer: string(root.attr_value(gimli::DW_AT_producer)),
            language: match root.attr_value(gimli::DW_AT_language) {
                Some(gimli::AttributeValue::Language(l)) => Some(l),
                _ => None,
            },
        });

        // The unit's files, by file index, as global file ids (a vector, not a hash map: it is
        // looked up once per line-table row).
        let mut file_ids: Vec<Option<u32>> = Vec::new();
        if let Some(program) = &unit.line_program {
            let header = program.header();
            let first = if header.version() >= 5 { 0 } else { 1 };
            for (k, entry) in header.file_names().iter().enumerate() {
                let path = file_path(&unit_ref, header, entry, comp_dir.as_deref());
                if let Some(path) = path {
                    let next = files.len() as u32;
                    let id = *files.entry(path.clone()).or_insert_with(|| {
                        self.files.push(path);
                        next
                    });
                    let slot = first as usize + k;
                    if file_ids.len() <= slot {
                        file_ids.resize(slot + 1, None);
                    }
                    file_ids[slot] = Some(id);
                }
            }
            let mut rows = program.clone().rows();
            let mut sequence: Vec<LineRow> = Vec::new();
            while let Some((_, row)) = rows.next_row()? {
                let address = row.address();
                if let Some(last) = sequence.last_mut() {
                    last.end = address;
                }
                if row.end_sequence() {
                    let start = sequence.first().map_or(0, |r| r.start);
                    // Dead code keeps address 0 (or a tombstone) in the line table: never code.
                    if start > 0 && address <= code_len && start < address {
                        self.rows
                            .extend(sequence.drain(..).filter(|r| r.start < r.end));
                    }
                    sequence.clear();
                    continue;
                }
                let (Some(line), Some(file)) = (row.line(), file_id(&file_ids, row.file_index()))
                else {
                    // A row with no line (line 0: compiler-generated code) ends the previous
                    // row's range and maps to nothing.
                    sequence.push(LineRow {
                        start: address,
                        end: address,
                        unit: index,
                        file: u32::MAX,
                        line: 0,
                        column: 0,
                    });
                    continue;
                };
                let column = match row.column() {
                    gimli::ColumnType::LeftEdge => 0,
                    gimli::ColumnType::Column(c) => c.get().min(u32::MAX as u64) as u32,
                };
                sequence.push(LineRow {
                    start: address,
                    end: address,
                    unit: index,
                    file,
                    line: line.get().min(u32::MAX as u64) as u32,
                    column,
                });
            }
        }

        // Subprograms with code.
        while let Some(entry) = entries.next_dfs()? {
            if entry.tag() != gimli::DW_TAG_subprogram {
                continue;
            }
            let Some(low_pc) = entry
                .attr_value(gimli::DW_AT_low_pc)
                .and_then(|v| unit_ref.attr_address(v).ok().flatten())
            else {
                continue;
            };
            if low_pc == 0 || low_pc >= code_len {
                continue;
            }
            // A definition out of line of its declaration names it through the declaration.
            let mut sub = Subprogram {
                name: string(entry.attr_value(gimli::DW_AT_name)),
                linkage_name: string(entry.attr_value(gimli::DW_AT_linkage_name)),
                decl_file: match entry.attr_value(gimli::DW_AT_decl_file) {
                    Some(gimli::AttributeValue::FileIndex(f)) => file_id(&file_ids, f),
                    Some(gimli::AttributeValue::Udata(f)) => file_id(&file_ids, f),
                    _ => None,
                },
                decl_line: entry
                    .attr_value(gimli::DW_AT_decl_line)
                    .and_then(|v| v.udata_value())
                    .map(|l| l as u32),
                external: matches!(
                    entry.attr_value(gimli::DW_AT_external),
                    Some(gimli::AttributeValue::Flag(true))
                ),
            };
            if sub.name.is_none() {
                let origin = entry
                    .attr_value(gimli::DW_AT_specification)
                    .or_else(|| entry.attr_value(gimli::DW_AT_abstract_origin));
                if let Some(gimli::AttributeValue::UnitRef(offset)) = origin
                    && let Ok(decl) = unit.entry(offset)
                {
                    sub.name = string(decl.attr_value(gimli::DW_AT_name));
                    sub.external |= matches!(
                        decl.attr_value(gimli::DW_AT_external),
                        Some(gimli::AttributeValue::Flag(true))
                    );
                    sub.linkage_name = sub
                        .linkage_name
                        .or_else(|| string(decl.attr_value(gimli::DW_AT_linkage_name)));
                }
            }
            self.subprograms.entry(low_pc).or_insert(sub);
        }
        Ok(())
    }

    /// Sorts the rows and drops the sequences that overlap an earlier one.
    fn finish_rows(&mut self) {
        self.rows.sort_by_key(|r| (r.start, r.end));
        let mut kept: Vec<LineRow> = Vec::with_capacity(self.rows.len());
        for row in self.rows.drain(..) {
            if kept.last().is_some_and(|last| row.start < last.end) {
                continue;
            }
            kept.push(row);
        }
        kept.retain(|r| r.file != u32::MAX);
        self.rows = kept;
    }

    /// The row covering wasm address `address`.
    pub fn row(&self, address: u64) -> Option<&LineRow> {
        let i = self.rows.partition_point(|r| r.end <= address);
        self.rows.get(i).filter(|r| r.start <= address)
    }

    /// The row covering the wasm instruction at file offset `offset`.
    pub fn row_at_file_offset(&self, offset: u32) -> Option<&LineRow> {
        self.row((offset as u64).checked_sub(self.code_section_start)?)
    }

    /// The subprogram whose code starts at wasm address `address`.
    pub fn subprogram(&self, address: u64) -> Option<&Subprogram> {
        self.subprograms.get(&address)
    }

    /// Whether any code has a source position.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The global file id of a unit's file index, if the unit has that file.
fn file_id(file_ids: &[Option<u32>], index: u64) -> Option<u32> {
    usize::try_from(index)
        .ok()
        .and_then(|i| file_ids.get(i).copied().flatten())
}

/// A line-table file entry's full path: its name, under its directory, under the compilation
/// directory (each only when the part before is relative).
fn file_path<'d>(
    unit: &gimli::UnitRef<'_, Reader<'d>>,
    header: &gimli::LineProgramHeader<Reader<'d>>,
    entry: &gimli::FileEntry<Reader<'d>>,
    comp_dir: Option<&str>,
) -> Option<String> {
    let text = |v: gimli::AttributeValue<Reader<'d>>| attr_text(unit, v);
    let name = text(entry.path_name())?;
    if name.is_empty() {
        return None;
    }
    let mut path = std::path::PathBuf::new();
    if let Some(c) = comp_dir {
        path.push(c);
    }
    if let Some(dir) = entry.directory(header).and_then(text) {
        path.push(dir);
    }
    path.push(name);
    Some(path.to_string_lossy().into_owned())
}

/// A string attribute's text (lossy UTF-8).
fn attr_text<'d>(
    unit: &gimli::UnitRef<'_, Reader<'d>>,
    v: gimli::AttributeValue<Reader<'d>>,
) -> Option<String> {
    let r = unit.attr_string(v).ok()?;
    Some(String::from_utf8_lossy(r.slice()).into_owned())
}
