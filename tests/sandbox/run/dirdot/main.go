// A Go program for the `--dir .` checks of tests/harness/src/bin/wasi.rs (`run/dir-dot-*`):
// prints its working directory and the first line of each file named on the command line.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	wd, err := os.Getwd()
	fmt.Printf("getwd: %s %v\n", wd, err)
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Printf("%s: %v\n", name, err)
			continue
		}
		line, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		fmt.Printf("%s: %s", name, line)
	}
	if err := os.WriteFile("written.txt", []byte("written\n"), 0o644); err != nil {
		fmt.Printf("write: %v\n", err)
	}
}
