//! The static library archive: every member of the embedded runtime staticlib for the target,
//! then the module's object (and the objects of `--link` inputs), with one symbol index, so a
//! host program links `lib<name>.a` and libc and nothing else.
//!
//! Must never reorder or rename the runtime's members: two libraries built by the same wasmaot
//! carry the same runtime members, and the linker then takes each runtime member once.

use std::io::Cursor;

use ar_archive_writer::{ArchiveKind, DEFAULT_OBJECT_READER, NewArchiveMember};
use object::read::archive::ArchiveFile;

use crate::error::{CompileError, Result};
use crate::{Compiled, Options};

fn archive_err(e: impl std::fmt::Display) -> CompileError {
    CompileError::Link(format!("cannot build the static library: {e}"))
}

/// The archive's bytes.
pub fn build(compiled: &Compiled, opts: &Options) -> Result<Vec<u8>> {
    let runtime = crate::link::runtime_archive(&opts.target).ok_or_else(|| {
        archive_err(format!(
            "this wasmaot was built without the runtime for {} (run `rustup target add {}` and rebuild wasmaot)",
            opts.target, opts.target
        ))
    })?;
    let linked = crate::link::host_inputs(opts)?;
    let parsed = ArchiveFile::parse(runtime).map_err(archive_err)?;
    let mut members = Vec::new();
    for m in parsed.members() {
        let m = m.map_err(archive_err)?;
        let name = String::from_utf8_lossy(m.name()).into_owned();
        // The index is rebuilt below; a member named like the GNU index is not an object.
        if name == "/" || name == "//" || name.is_empty() {
            continue;
        }
        let data = m.data(runtime).map_err(archive_err)?;
        members.push(NewArchiveMember::new(data, &DEFAULT_OBJECT_READER, name));
    }
    let prefix = super::prefix(opts);
    members.push(NewArchiveMember::new(
        compiled.object.as_slice(),
        &DEFAULT_OBJECT_READER,
        format!("{prefix}_module.o"),
    ));
    for (name, bytes) in &linked.objects {
        members.push(NewArchiveMember::new(
            bytes.as_slice(),
            &DEFAULT_OBJECT_READER,
            name.clone(),
        ));
    }
    let mut out = Cursor::new(Vec::new());
    ar_archive_writer::write_archive_to_stream(&mut out, &members, ArchiveKind::Gnu, false, None)
        .map_err(archive_err)?;
    Ok(out.into_inner())
}
