;; The relaxed SIMD results that depend on the CPU, at the inputs where engines differ: the
;; fuzzer's oracle must compile for exactly wasmaot's baseline CPU features (no FMA, no AVX),
;; else these calls diverge (on an FMA machine `madd` is fused by wasmtime's default). Not a
;; wasmaot bug: it guards the oracle's configuration (tests/harness/src/fuzz/oracle.rs).
(module
  ;; (1 + 2^-23) * (1 - 2^-23) - 1: 0 unfused, -2^-46 fused.
  (func (export "f32x4.madd") (result v128)
    (f32x4.relaxed_madd
      (v128.const f32x4 0x1.000002p+0 0x1.000002p+0 1 2)
      (v128.const f32x4 0x1.fffffcp-1 0x1.fffffcp-1 1 3)
      (v128.const f32x4 -1 -1 0 -6)))
  (func (export "f64x2.nmadd") (result v128)
    (f64x2.relaxed_nmadd
      (v128.const f64x2 0x1.0000000000001p+0 2)
      (v128.const f64x2 0x1.fffffffffffffp-1 3)
      (v128.const f64x2 1 6)))
  ;; NaN and out of range.
  (func (export "trunc") (result v128 v128 v128 v128)
    (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 nan 3e9 -3e9 -1.5))
    (i32x4.relaxed_trunc_f32x4_u (v128.const f32x4 nan 5e9 -1 2.5))
    (i32x4.relaxed_trunc_f64x2_s_zero (v128.const f64x2 nan 3e9))
    (i32x4.relaxed_trunc_f64x2_u_zero (v128.const f64x2 -1 5e9)))
  ;; Indices past 15, with and without the top bit.
  (func (export "swizzle") (result v128)
    (i8x16.relaxed_swizzle
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
      (v128.const i8x16 16 17 0x80 0xff 31 0x7f 0x8f 1 2 3 4 5 6 7 8 9)))
  ;; Signed zeros and NaN.
  (func (export "minmax") (result v128 v128 v128 v128)
    (f32x4.relaxed_min (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan))
    (f32x4.relaxed_max (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan))
    (f64x2.relaxed_min (v128.const f64x2 0 nan) (v128.const f64x2 -0 1))
    (f64x2.relaxed_max (v128.const f64x2 -0 1) (v128.const f64x2 0 nan)))
  ;; A mask that is neither all ones nor all zeros per lane.
  (func (export "laneselect") (result v128 v128)
    (i8x16.relaxed_laneselect
      (v128.const i64x2 0x1111111111111111 0x2222222222222222)
      (v128.const i64x2 0x3333333333333333 0x4444444444444444)
      (v128.const i64x2 0x80ff00017f80fe01 0x0080800000ff7f80))
    (i64x2.relaxed_laneselect
      (v128.const i64x2 -1 0)
      (v128.const i64x2 0 -1)
      (v128.const i64x2 0x8000000000000000 0x7fffffffffffffff)))
  (func (export "q15mulr") (result v128)
    (i16x8.relaxed_q15mulr_s
      (v128.const i16x8 -32768 -32768 32767 1 -1 0 16384 -16384)
      (v128.const i16x8 -32768 32767 32767 1 -1 0 16384 16384)))
  ;; Second operand with the top bit set (outside i7).
  (func (export "dot") (result v128 v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s
      (v128.const i8x16 -128 -128 127 127 1 2 3 4 -1 -2 -3 -4 5 6 7 8)
      (v128.const i8x16 -128 -1 -128 127 1 2 3 4 0x80 0x90 0xa0 0xb0 5 6 7 8))
    (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (v128.const i8x16 -128 -128 127 127 1 2 3 4 -1 -2 -3 -4 5 6 7 8)
      (v128.const i8x16 -128 -1 -128 127 1 2 3 4 0x80 0x90 0xa0 0xb0 5 6 7 8)
      (v128.const i32x4 1 2 3 0x7fffffff)))
)
