// args_env: os.Args (argv[0] included) and the environment passed with --env.
package main

import (
	"fmt"
	"os"
	"sort"
)

func main() {
	fmt.Printf("argc=%d\n", len(os.Args))
	for i, a := range os.Args {
		fmt.Printf("argv[%d]=%q\n", i, a)
	}
	fmt.Printf("GREETING=%q\n", os.Getenv("GREETING"))
	v, ok := os.LookupEnv("EMPTY")
	fmt.Printf("EMPTY=%q set=%v\n", v, ok)
	_, ok = os.LookupEnv("HOME")
	fmt.Printf("HOME set=%v\n", ok)
	env := os.Environ()
	sort.Strings(env)
	fmt.Printf("environ=%q\n", env)
}
