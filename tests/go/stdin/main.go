// stdin: read all of stdin to EOF, echo each line upper-cased and numbered, then a summary.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	n, bytes := 0, 0
	for sc.Scan() {
		line := sc.Text()
		n++
		bytes += len(line)
		fmt.Printf("%03d %s\n", n, strings.ToUpper(line))
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "read error:", err)
		os.Exit(1)
	}
	fmt.Printf("%d lines, %d bytes\n", n, bytes)
}
