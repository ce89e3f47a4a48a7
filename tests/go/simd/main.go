//go:build goexperiment.simd

// Go's portable `simd` package (GOEXPERIMENT=simd; on GOARCH=wasm every vector is a v128):
// float and integer arithmetic, saturating and averaging byte operators, shifts, comparisons
// into masks and back, conversions, partial loads and stores, and reductions over slices.
// The e2e runner builds this folder with GOEXPERIMENT=simd because of the build constraint
// above. No output depends on a NaN or on the vector length (loops step by Len()).
package main

import (
	"fmt"
	"math"
	"simd"
)

const n = 1003 // not a multiple of any vector length: every loop has a partial tail

var (
	xs  = make([]float32, n)
	ys  = make([]float32, n)
	is  = make([]int32, n)
	js  = make([]int32, n)
	bs  = make([]uint8, n)
	cs  = make([]uint8, n)
	hs  = make([]int16, n)
	out = make([]float32, n)
)

func init() {
	seed := uint32(12345)
	next := func() uint32 {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return seed
	}
	for i := range n {
		xs[i] = float32(int32(next()%2001)-1000) / 8
		ys[i] = float32(int32(next()%2001)-1000) / 16
		is[i] = int32(next())
		js[i] = int32(next()%20001) - 10000
		bs[i] = uint8(next())
		cs[i] = uint8(next())
		hs[i] = int16(next())
	}
}

// dot is Σ x·y, one vector of partial sums then the lanes added in order.
func dot(x, y []float32) float32 {
	acc := simd.BroadcastFloat32s(0)
	step := acc.Len()
	i := 0
	for ; i+step <= len(x); i += step {
		acc = simd.LoadFloat32s(x[i:]).MulAdd(simd.LoadFloat32s(y[i:]), acc)
	}
	if i < len(x) {
		a, _ := simd.LoadFloat32sPart(x[i:])
		b, _ := simd.LoadFloat32sPart(y[i:])
		acc = a.MulAdd(b, acc)
	}
	lanes := make([]float32, step)
	acc.Store(lanes)
	var s float32
	for _, l := range lanes {
		s += l
	}
	return s
}

// saxpy writes a·x + y into out.
func saxpy(a float32, x, y, out []float32) {
	va := simd.BroadcastFloat32s(a)
	step := va.Len()
	i := 0
	for ; i+step <= len(x); i += step {
		simd.LoadFloat32s(x[i:]).Mul(va).Add(simd.LoadFloat32s(y[i:])).Store(out[i:])
	}
	x1, _ := simd.LoadFloat32sPart(x[i:])
	y1, _ := simd.LoadFloat32sPart(y[i:])
	x1.Mul(va).Add(y1).StorePart(out[i:])
}

// clampSum clamps each int32 to [-5000, 5000] and adds them up (wrapping per lane).
func clampSum(v []int32) int64 {
	lo, hi := simd.BroadcastInt32s(-5000), simd.BroadcastInt32s(5000)
	acc := simd.BroadcastInt32s(0)
	step := acc.Len()
	for i := 0; i < len(v); i += step {
		x, _ := simd.LoadInt32sPart(v[i:])
		acc = acc.Add(x.Max(lo).Min(hi))
	}
	lanes := make([]int32, step)
	acc.Store(lanes)
	var s int64
	for _, l := range lanes {
		s += int64(l)
	}
	return s
}

// countGreater counts the elements of x greater than the matching ones of y, through a mask
// turned into -1/0 lanes.
func countGreater(x, y []int32) int {
	acc := simd.BroadcastInt32s(0)
	step := acc.Len()
	for i := 0; i < len(x); i += step {
		a, _ := simd.LoadInt32sPart(x[i:])
		b, _ := simd.LoadInt32sPart(y[i:])
		acc = acc.Sub(a.Greater(b).ToInt32s())
	}
	lanes := make([]int32, step)
	acc.Store(lanes)
	total := 0
	for _, l := range lanes {
		total += int(l)
	}
	return total
}

// hashBytes folds a byte operator's results into an FNV-1a hash.
func hashBytes(op func(a, b simd.Uint8s) simd.Uint8s) uint32 {
	tmp := make([]uint8, len(bs))
	step := simd.BroadcastUint8s(0).Len()
	for i := 0; i < len(bs); i += step {
		a, _ := simd.LoadUint8sPart(bs[i:])
		b, _ := simd.LoadUint8sPart(cs[i:])
		op(a, b).StorePart(tmp[i:])
	}
	h := uint32(2166136261)
	for _, c := range tmp {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

func hashInt16(op func(a simd.Int16s) simd.Int16s) uint32 {
	tmp := make([]int16, len(hs))
	step := simd.BroadcastInt16s(0).Len()
	for i := 0; i < len(hs); i += step {
		a, _ := simd.LoadInt16sPart(hs[i:])
		op(a).StorePart(tmp[i:])
	}
	h := uint32(2166136261)
	for _, c := range tmp {
		h = (h ^ uint32(uint16(c))) * 16777619
	}
	return h
}

func hashFloats(v []float32) uint32 {
	h := uint32(2166136261)
	for _, f := range v {
		h = (h ^ math.Float32bits(f)) * 16777619
	}
	return h
}

func main() {
	fmt.Printf("dot: %.3f\n", dot(xs, ys))
	saxpy(2.5, xs, ys, out)
	fmt.Printf("saxpy: %.4f %.4f %.4f hash %08x\n", out[0], out[500], out[n-1], hashFloats(out))
	fmt.Printf("clamp sum: %d\n", clampSum(js))
	fmt.Printf("greater: %d of %d\n", countGreater(is, js), n)

	fmt.Printf("u8 add: %08x\n", hashBytes(simd.Uint8s.Add))
	fmt.Printf("u8 add sat: %08x\n", hashBytes(simd.Uint8s.AddSaturated))
	fmt.Printf("u8 sub sat: %08x\n", hashBytes(simd.Uint8s.SubSaturated))
	fmt.Printf("u8 avg: %08x\n", hashBytes(simd.Uint8s.Average))
	fmt.Printf("u8 min: %08x\n", hashBytes(simd.Uint8s.Min))
	fmt.Printf("u8 max: %08x\n", hashBytes(simd.Uint8s.Max))
	fmt.Printf("u8 eq select: %08x\n", hashBytes(func(a, b simd.Uint8s) simd.Uint8s {
		return a.IfElse(a.And(simd.BroadcastUint8s(7)).Equal(b.And(simd.BroadcastUint8s(7))), b)
	}))
	fmt.Printf("u8 andnot xor: %08x\n", hashBytes(func(a, b simd.Uint8s) simd.Uint8s {
		return a.AndNot(b).Xor(b.Not())
	}))

	fmt.Printf("i16 shl 3: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s { return a.ShiftAllLeft(3) }))
	fmt.Printf("i16 shr 5: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s { return a.ShiftAllRight(5) }))
	fmt.Printf("i16 rotl 4: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s { return a.RotateAllLeft(4) }))
	fmt.Printf("i16 abs: %08x\n", hashInt16(simd.Int16s.Abs))
	fmt.Printf("i16 mul: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s { return a.Mul(a) }))
	fmt.Printf("i16 add sat: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s { return a.AddSaturated(a) }))
	fmt.Printf("i16 neg mask: %08x\n", hashInt16(func(a simd.Int16s) simd.Int16s {
		return a.Masked(a.Less(simd.BroadcastInt16s(0)))
	}))

	// Conversions and float operators on the first lanes, printed as values.
	x := simd.LoadFloat32s([]float32{2.25, -7.5, 100, 0.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
	y := simd.LoadFloat32s([]float32{4, 2, -3, 0.25, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	show := func(name string, v simd.Float32s) {
		lanes := make([]float32, v.Len())
		v.Store(lanes)
		fmt.Printf("%s: %v\n", name, lanes[:4])
	}
	show("f32 div", x.Div(y))
	show("f32 sqrt", x.Abs().Sqrt())
	show("f32 min", x.Min(y))
	show("f32 max", x.Max(y))
	show("f32 neg", x.Neg())
	show("f32 select", x.IfElse(x.Greater(y), y))
	ints := make([]int32, x.Len())
	x.ConvertToInt32().Store(ints)
	fmt.Printf("f32 to i32: %v\n", ints[:4])
	show("i32 to f32", simd.LoadInt32s([]int32{-3, 16777217, 7, -2147483648, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).ConvertToFloat32())

	// A partial store leaves the rest of the slice alone.
	part := []float32{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	v, loaded := simd.LoadFloat32sPart([]float32{1, 2, 3})
	stored := v.StorePart(part[:3])
	fmt.Printf("part: loaded %d stored %d %v\n", loaded, stored, part[:5])
}
