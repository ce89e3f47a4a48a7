//! Exception handling's runtime shape: tag identities, exception objects (allocation, payload
//! slots, flags) and the pending-exception field of a vmctx, as `wasmaot_abi::exception`
//! lays them out.
//!
//! Must never decide where control goes (handlers and propagation are the translator's,
//! `translate/exceptions.rs`); it only loads and stores.

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::builtins;
use wasmaot_abi::exception;
use wasmaot_abi::vmctx::VmOffsets;

use super::FuncEnv;

/// Exception objects and vmctx fields are runtime-owned, aligned and never trap.
fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl FuncEnv<'_> {
    /// The identity (`*const VMTag`) of tag `tag`.
    pub fn tag_identity(&mut self, builder: &mut FunctionBuilder, tag: u32) -> Value {
        let offset = self.offsets.tag(tag);
        self.load_vmctx_readonly(builder, self.pointer_type, offset)
    }

    /// A new exception object of tag `tag` with room for `slots` payload values.
    pub fn exception_alloc(
        &mut self,
        builder: &mut FunctionBuilder,
        tag: u32,
        slots: u32,
    ) -> Value {
        let identity = self.tag_identity(builder, tag);
        let slots = builder.ins().iconst(types::I32, i64::from(slots));
        self.call_builtin(builder, &builtins::EXN_ALLOC, &[identity, slots])[0]
    }

    /// A handler took `exn` without its reference: the runtime may free it.
    pub fn exception_release(&mut self, builder: &mut FunctionBuilder, exn: Value) {
        self.call_builtin(builder, &builtins::EXN_RELEASE, &[exn]);
    }

    /// Marks `exn` as referenced from wasm (it must outlive any handler).
    pub fn exception_expose(&mut self, builder: &mut FunctionBuilder, exn: Value) {
        let f = builder
            .ins()
            .iconst(types::I32, i64::from(exception::FLAG_EXPOSED));
        builder
            .ins()
            .store(flags(), f, exn, exception::FLAGS as i32);
    }

    /// The tag identity of `exn`.
    pub fn exception_tag(&mut self, builder: &mut FunctionBuilder, exn: Value) -> Value {
        builder
            .ins()
            .load(self.pointer_type, flags(), exn, exception::TAG as i32)
    }

    /// Stores payload value `i` of `exn`.
    pub fn exception_store_value(
        &mut self,
        builder: &mut FunctionBuilder,
        exn: Value,
        i: u32,
        value: Value,
    ) {
        let at = exception::VALUES + exception::SLOT_SIZE * i;
        builder.ins().store(flags(), value, exn, at as i32);
    }

    /// Loads payload value `i` (of type `ty`) of `exn`.
    pub fn exception_load_value(
        &mut self,
        builder: &mut FunctionBuilder,
        exn: Value,
        i: u32,
        ty: Type,
    ) -> Value {
        let at = exception::VALUES + exception::SLOT_SIZE * i;
        builder.ins().load(ty, flags(), exn, at as i32)
    }

    /// The pending exception of the instance whose vmctx is `vmctx` (null: none).
    pub fn pending_exception(&mut self, builder: &mut FunctionBuilder, vmctx: Value) -> Value {
        builder.ins().load(
            self.pointer_type,
            flags(),
            vmctx,
            VmOffsets::PENDING_EXCEPTION as i32,
        )
    }

    /// Sets the pending exception of `vmctx` to `exn` (a null `exn` clears it).
    pub fn set_pending_exception(
        &mut self,
        builder: &mut FunctionBuilder,
        vmctx: Value,
        exn: Value,
    ) {
        builder
            .ins()
            .store(flags(), exn, vmctx, VmOffsets::PENDING_EXCEPTION as i32);
    }
}
