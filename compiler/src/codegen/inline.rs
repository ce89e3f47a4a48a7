//! Inlining of small functions into their direct callers, with the inlined frames kept for
//! trap backtraces.
//!
//! Go's compiler leaves many small functions as calls in wasm: the atomics of
//! `internal/runtime/atomic` (plain loads and stores on wasm, but `//go:noinline`), accessors
//! and hash helpers reached through `//go:nosplit` functions. Each such call costs a native frame
//! and a push and pop of Go's own stack in linear memory. Inlined, the callee's loads from the Go
//! stack meet the caller's stores (the alias regions of `env/alias.rs` make that visible) and the
//! call disappears (`make bench`: GC-heavy `trees` −7%, `pingpong` −8%, `encoding/json` up to
//! −15%).
//!
//! A function is inlined if its body is small and everything in it that can trap is a linear
//! memory access, `unreachable` or a direct call to a wasm function (Go's nil checks call
//! `runtime.sigpanic`). No `call_indirect`, builtin, host or C library call (their symbols are
//! per-function), no division or conversion (their traps are out-of-line islands). The inlined
//! instructions get a source location that says which function they came from (`mark_inlined`);
//! `inline_sites` turns the trap sites and calls in such code into the descriptor's inline
//! sites, so a trap or a call inside inlined code still shows the inlined function in the
//! backtrace.
//!
//! Must never inline at `-O0`, never inline through more than one level (callees are the
//! un-inlined translations), and never hand Cranelift a callee whose signature differs from the
//! call's (both come from the same wasm type, so they cannot).

use std::borrow::Cow;

use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, ExternalName};
use cranelift_codegen::{Final, MachBufferFinalized};
use wasmaot_abi::descriptor::InlineSite;

use crate::env::NS_WASM_FUNC;

/// Largest wasm body (in bytes, locals included) considered for inlining.
pub const MAX_BODY_BYTES: u64 = 160;
/// Largest translated callee (CLIF instructions) that is inlined.
const MAX_INSTS: usize = 80;

/// Whether translated function `func` may be inlined into its callers.
pub fn is_inlinable(func: &ir::Function) -> bool {
    // Tail-convention functions (tail calls) are entered only by direct calls and tail calls.
    if func.signature.call_conv == cranelift_codegen::isa::CallConv::Tail {
        return false;
    }
    // Direct calls to wasm functions only: their names are module-wide; a symbol name is an
    // index into the callee's own symbol table, meaningless in the caller.
    if func
        .params
        .user_named_funcs()
        .values()
        .any(|n| n.namespace != NS_WASM_FUNC)
    {
        return false;
    }
    let mut count = 0;
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            count += 1;
            let op = func.dfg.insts[inst].opcode();
            let allowed = op == ir::Opcode::Call
                || op == ir::Opcode::Trap
                || op.can_load()
                || op.can_store()
                || !(op.can_trap() || op.is_call());
            if !allowed {
                return false;
            }
        }
    }
    count <= MAX_INSTS && func.sized_stack_slots.is_empty() && func.dynamic_stack_slots.is_empty()
}

/// Source locations of the caller's own instructions are wasm byte offsets, at or after the
/// function body's start (the function's base source location, `translate`); instructions
/// inlined from a function get `base + (INLINED_MARK | r)`, `r` the caller's external-name
/// reference of the inlined function. Relative to the base, as Cranelift stores source
/// locations, the mark depends on neither where the body sits in the file nor the callee's
/// index, so a function with inlined code has the same function-cache key in every module
/// (`func_cache.rs`).
const INLINED_MARK: u32 = 1 << 31;

/// Marks the instructions `inline` created with the function they came from: `starts` holds, in
/// order, the first instruction id of each inlined body and the inlined function's external
/// name reference; a body ends where the next one starts (instruction ids are allocated in
/// order).
pub fn mark_inlined(func: &mut ir::Function, starts: &[(u32, ir::UserExternalNameRef)]) {
    let base = func.params.base_srcloc().bits();
    let end = func.dfg.num_insts() as u32;
    for (k, &(first, callee)) in starts.iter().enumerate() {
        let last = starts.get(k + 1).map_or(end, |s| s.0);
        let loc = ir::SourceLoc::new(base.wrapping_add(INLINED_MARK | callee.as_u32()));
        for id in first..last {
            let inst = ir::Inst::from_u32(id);
            if func.layout.inst_block(inst).is_some() {
                func.set_srcloc(inst, loc);
            }
        }
    }
}

/// The inline sites of compiled code: each trap site and call inside code inlined from another
/// function, keyed as the runtime looks it up (a trap site's offset; a call's return offset
/// minus one), sorted by key. The machine code's source locations say where code came from;
/// `params` are the compiled function's (its base source location and external names).
pub fn inline_sites(
    buffer: &MachBufferFinalized<Final>,
    params: &ir::function::FunctionParameters,
) -> Vec<InlineSite> {
    let base = params.base_srcloc().bits();
    let names = params.user_named_funcs();
    let srclocs = buffer.get_srclocs_sorted();
    let origin = |offset: u32| -> Option<u32> {
        let i = srclocs.partition_point(|s| s.end <= offset);
        let s = srclocs.get(i)?;
        let rel = s.loc.bits().wrapping_sub(base);
        if s.start > offset || s.loc.is_default() || rel & INLINED_MARK == 0 {
            return None;
        }
        let callee = ir::UserExternalNameRef::from_u32(rel & !INLINED_MARK);
        Some(names[callee].index)
    };
    let mut sites: Vec<InlineSite> = site_keys(buffer)
        .filter_map(|key| origin(key).map(|func| InlineSite { key, func }))
        .collect();
    sites.sort_unstable_by_key(|s| s.key);
    sites.dedup_by_key(|s| s.key);
    sites
}

/// The PCs a frame walk looks up in compiled code: each trap site's offset and each call's
/// return offset minus one (unsorted; a PC may repeat). Inline sites and source lines are
/// keyed by them.
pub fn site_keys(buffer: &MachBufferFinalized<Final>) -> impl Iterator<Item = u32> + '_ {
    buffer.traps().iter().map(|t| t.offset).chain(
        buffer
            .call_sites()
            .filter_map(|c| c.ret_addr.checked_sub(1)),
    )
}

/// The inlinable functions of a module, by defined-function index.
pub struct Inliner<'a> {
    pub num_imported_funcs: u32,
    pub callees: &'a [Option<ir::Function>],
}

/// One function's inlining: the module's [`Inliner`], and where each inlined body starts (for
/// [`mark_inlined`]).
pub struct InlineRecorder<'a> {
    pub inliner: &'a Inliner<'a>,
    pub starts: Vec<(u32, ir::UserExternalNameRef)>,
}

impl Inline for &mut InlineRecorder<'_> {
    fn inline(
        &mut self,
        caller: &ir::Function,
        _call_inst: ir::Inst,
        call_opcode: ir::Opcode,
        callee: ir::FuncRef,
        _call_args: &[ir::Value],
    ) -> InlineCommand<'_> {
        if call_opcode != ir::Opcode::Call {
            return InlineCommand::KeepCall;
        }
        let ExternalName::User(name) = &caller.dfg.ext_funcs[callee].name else {
            return InlineCommand::KeepCall;
        };
        let name_ref = *name;
        let name = &caller.params.user_named_funcs()[name_ref];
        let inliner = self.inliner;
        if name.namespace != NS_WASM_FUNC || name.index < inliner.num_imported_funcs {
            return InlineCommand::KeepCall;
        }
        match inliner
            .callees
            .get((name.index - inliner.num_imported_funcs) as usize)
        {
            Some(Some(f)) => {
                // The inliner creates the body's instructions right after this returns.
                self.starts.push((caller.dfg.num_insts() as u32, name_ref));
                InlineCommand::Inline {
                    callee: Cow::Borrowed(f),
                    visit_callee: false,
                }
            }
            _ => InlineCommand::KeepCall,
        }
    }
}
