;; memory.grow and memory.size: calls into the runtime's builtins with the vmctx.
(module
  (memory 1 10)
  (func $grow (param i32) (result i32)
    local.get 0
    memory.grow
    memory.size
    i32.add))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (grow)
;; function u0:0(i64 vmctx, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     sig0 = (i64, i32, i32) -> i32 system_v
;;     fn0 = colocated u1:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001e                               v2 = load.i64 notrap aligned readonly v0
;; @0021                               v4 = iconst.i32 0
;; @0021                               v5 = call fn0(v0, v4, v1)  ; v4 = 0
;; @0023                               v6 = load.i64 notrap aligned readonly can_move v0+8
;; @0023                               v7 = load.i64 notrap aligned v6+8
;; @0026                               jump block1
;;
;;                                 block1:
;; @0023                               v8 = iconst.i64 16
;; @0023                               v9 = ushr.i64 v7, v8  ; v8 = 16
;; @0023                               v10 = ireduce.i32 v9
;; @0025                               v11 = iadd.i32 v5, v10
;; @0026                               return v11
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   movq 0x10(%rdi), %r10
;;   addq $0x20, %r10
;;   cmpq %rsp, %r10
;;   jnbe #trap=stk_ovf
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
;;   subq $0x10, %rsp
;;   movq %r14, (%rsp)
;;   unwind SaveReg { clobber_offset: 0, reg: p14i }
;; block0:
;;   movq %rsi, %rdx
;;   movq (%rdi), %r10
;;   movq %rdi, %r14
;;   uninit  %rsi
;;   xorl %esi, %esi
;;   call    User(userextname0)
;;   movq 8(%r14), %r10
;;   movq 8(%r10), %r9
;;   jmp     label1
;; block1:
;;   shrq $0x10, %r9
;;   leal (%rax, %r9), %eax
;;   movq (%rsp), %r14
;;   addq $0x10, %rsp
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
