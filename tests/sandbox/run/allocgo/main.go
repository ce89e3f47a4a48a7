// A Go program for the `--max-memory` check of tests/harness/src/bin/wasi.rs
// (`run/max-memory-go`): allocates and keeps 1 MiB blocks without end, so it stops only when
// memory.grow fails, with the Go runtime's out-of-memory failure.
package main

import "fmt"

var keep [][]byte

func main() {
	for i := 0; ; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(i + j)
		}
		keep = append(keep, b)
		if i%16 == 0 {
			fmt.Printf("allocated %d MiB\n", i+1)
		}
	}
}
