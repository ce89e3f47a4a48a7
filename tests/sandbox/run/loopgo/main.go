// A Go program for the `--timeout` check of tests/harness/src/bin/wasi.rs (`run/timeout-go`):
// prints a line, then computes without end (no WASI call in the loop), so only the time limit
// ends it, with `wasm trap: interrupt`.
package main

import (
	"fmt"
	"os"
)

//go:noinline
func step(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

func main() {
	fmt.Println("looping")
	x := uint64(len(os.Args))
	for {
		x = step(x)
		if x == 42 {
			break
		}
	}
	fmt.Println(x)
}
