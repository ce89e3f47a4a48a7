// Regression test for the multi-word arithmetic idioms (compiler/src/codegen/idioms.rs):
// math/bits.Mul64 and bits.Add64 compiled by Go's wasm backend from their portable definitions,
// which wasmaot turns into one high multiply and one compare. Checks them on edge cases and a
// pseudo-random sequence (in a loop, where the operands' halves reach the product through the
// dispatch loop's parameters, and straight-line), with loop-invariant and varying operands, and
// through math/big, printing checksums that native Go computes the same.
package main

import (
	"fmt"
	"math/big"
	"math/bits"
)

var edges = []uint64{0, 1, 2, 0xffff_ffff, 0x1_0000_0000, 0x8000_0000, 0x7fff_ffff_ffff_ffff,
	0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff, 0xdead_beef_cafe_babe}

//go:noinline
func mulAdd(z, x []uint64, y, c uint64) uint64 {
	for i := range z {
		hi, lo := bits.Mul64(x[i], y)
		lo, cc := bits.Add64(lo, c, 0)
		z[i] = lo
		c = hi + cc
	}
	return c
}

//go:noinline
func mulHi(x, y uint64) uint64 {
	hi, _ := bits.Mul64(x, y)
	return hi
}

//go:noinline
func carry(x, y uint64) uint64 {
	_, c := bits.Add64(x, y, 0)
	return c
}

//go:noinline
func carryIn(x, y, c uint64) (uint64, uint64) {
	return bits.Add64(x, y, c)
}

func main() {
	var sum uint64
	for _, a := range edges {
		for _, b := range edges {
			hi, lo := bits.Mul64(a, b)
			s, c := bits.Add64(a, b, 0)
			s2, c2 := carryIn(a, b, 1)
			fmt.Printf("%x*%x = %x:%x  %x+%x = %x c%d  +1 = %x c%d\n", a, b, hi, lo, a, b, s, c, s2, c2)
			if mulHi(a, b) != hi || carry(a, b) != c {
				fmt.Println("MISMATCH", a, b)
			}
		}
	}
	state := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return state
	}
	x := make([]uint64, 4096)
	z := make([]uint64, 4096)
	for i := range x {
		x[i] = next()
	}
	for round := 0; round < 64; round++ {
		y := next()
		if round%8 == 0 {
			y = edges[round/8]
		}
		c := mulAdd(z, x, y, next())
		sum = sum*31 + c
		for _, v := range z {
			sum = sum*31 + v
		}
		for i := 0; i < 256; i++ {
			a, b := next(), next()
			sum = sum*31 + mulHi(a, b) + carry(a, b)
		}
	}
	fmt.Printf("checksum %x\n", sum)
	f := new(big.Int).Exp(big.NewInt(3), big.NewInt(5000), big.NewInt(0).Lsh(big.NewInt(1), 4423))
	g := new(big.Int).GCD(nil, nil, new(big.Int).Mul(f, big.NewInt(1234567)), new(big.Int).Lsh(big.NewInt(1234567), 900))
	fmt.Println("big", f.BitLen(), f.Text(36)[:40], g.String())
}
