//! Exception handling: the layout of exception objects and tags, and the protocol by which
//! compiled code throws and catches.
//!
//! **Protocol.** wasmaot does not unwind native frames to throw. A function that throws (or
//! does not catch an exception thrown to it) stores the exception in its own vmctx's
//! `PENDING_EXCEPTION` field and returns normally, with zero results. Every call that may throw
//! is followed by a check of the *callee's* vmctx field: if it is set, the caller takes the
//! exception (clearing the field) and goes to its innermost handler (`try_table`), or passes
//! it on the same way. The runtime checks the field after every call from the host into wasm;
//! one that is set there is an uncaught exception ([`crate::trap::TrapCode::UncaughtException`]).
//! A host function's vmctx must therefore point at a fixed prefix whose field the host leaves
//! null (or sets, to throw into its wasm caller).
//!
//! **Objects.** An exception is a runtime-allocated block: the tag's identity at [`TAG`],
//! flags at [`FLAGS`], then the payload, one 16-byte slot per value ([`VALUES`]). An
//! `exnref` is a pointer to it (0 = null). An object a handler took without its reference is
//! freed ([`crate::builtins::EXN_RELEASE`]); one whose reference reached wasm
//! ([`FLAG_EXPOSED`]) lives as long as the instance that allocated it (there is no GC).
//!
//! **Tags.** A tag's identity is the address of its `VMTag` (owned by the defining instance;
//! importers hold the same pointer), whose first field is the canonical signature id of its
//! type.
//!
//! Must never be laid out anywhere else: the compiler and runtime both read these constants.

/// Offset of the `*const VMTag` of the exception's tag.
pub const TAG: u32 = 0;
/// Offset of the exception's flags (u32).
pub const FLAGS: u32 = 8;
/// Offset of the number of payload slots (u32), set at allocation.
pub const SLOTS: u32 = 12;
/// Flag: a reference to this exception was handed to wasm (`catch_ref`, `catch_all_ref`),
/// so it may be live anywhere and must not be freed when a handler takes it.
pub const FLAG_EXPOSED: u32 = 1;
/// Offset of the first payload slot.
pub const VALUES: u32 = 16;
/// Size of one payload slot (every value type fits, `v128` included).
pub const SLOT_SIZE: u32 = 16;

/// A tag's identity record.
pub mod vm_tag {
    /// Canonical signature id of the tag's function type (u32).
    pub const TYPE_ID: u32 = 0;
    pub const SIZE: u32 = 8;
}
