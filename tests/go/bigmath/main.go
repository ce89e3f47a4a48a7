// bigmath: math/big (lots of 64-bit multiply/carry code): 100!, fib(500), a modular power.
package main

import (
	"fmt"
	"math/big"
)

func main() {
	f := big.NewInt(1)
	for i := int64(2); i <= 100; i++ {
		f.Mul(f, big.NewInt(i))
	}
	fmt.Println("100! =", f)
	digits := 0
	for _, c := range f.String() {
		digits += int(c - '0')
	}
	fmt.Println("digit sum of 100! =", digits)

	a, b := big.NewInt(0), big.NewInt(1)
	for i := 0; i < 500; i++ {
		a.Add(a, b)
		a, b = b, a
	}
	fmt.Println("fib(500) =", a)

	m := new(big.Int).Exp(big.NewInt(3), big.NewInt(1000), big.NewInt(1_000_000_007))
	fmt.Println("3^1000 mod 1e9+7 =", m)
	r := new(big.Rat).SetFrac64(1, 3)
	r.Add(r, big.NewRat(1, 6))
	fmt.Println("1/3 + 1/6 =", r)
}
