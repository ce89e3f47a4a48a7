// exit_code: os.Exit(3) ends the program at once (deferred calls do not run).
package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("deferred: must not print")
	fmt.Println("about to exit with 3")
	fmt.Fprintln(os.Stderr, "to stderr before exit")
	os.Exit(3)
}
