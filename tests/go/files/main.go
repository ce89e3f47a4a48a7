// files: create, write, append, read, rename, list (sorted), stat and remove files
// inside the directory preopened as /sandbox. The harness checks the result on the host.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

const root = "/sandbox"

func check(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func list(dir string) {
	entries, err := os.ReadDir(dir)
	check(err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("ls %s: %v\n", dir, names)
}

func main() {
	p := func(name string) string { return filepath.Join(root, name) }

	// The harness put input.txt there.
	in, err := os.ReadFile(p("input.txt"))
	check(err)
	fmt.Printf("input.txt: %q\n", in)

	check(os.WriteFile(p("a.txt"), []byte("first line\n"), 0o644))
	f, err := os.OpenFile(p("a.txt"), os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	_, err = f.WriteString("appended line\n")
	check(err)
	check(f.Close())

	data, err := os.ReadFile(p("a.txt"))
	check(err)
	fmt.Printf("a.txt: %q\n", data)

	st, err := os.Stat(p("a.txt"))
	check(err)
	fmt.Printf("a.txt size=%d dir=%v\n", st.Size(), st.IsDir())

	check(os.Rename(p("a.txt"), p("b.txt")))
	_, err = os.Stat(p("a.txt"))
	fmt.Printf("a.txt after rename: not exist=%v\n", errors.Is(err, fs.ErrNotExist))

	check(os.Mkdir(p("sub"), 0o755))
	check(os.WriteFile(p("sub/c.txt"), []byte("in a subdirectory\n"), 0o644))
	check(os.WriteFile(p("sub/d.txt"), []byte("to be removed\n"), 0o644))
	check(os.WriteFile(p("zzz.tmp"), []byte("temporary"), 0o644))
	list(root)
	list(p("sub"))

	check(os.Remove(p("sub/d.txt")))
	check(os.Remove(p("zzz.tmp")))
	check(os.MkdirAll(p("deep/er/est"), 0o755))
	check(os.RemoveAll(p("deep")))
	list(root)
	list(p("sub"))

	// Seek and partial reads.
	g, err := os.Open(p("b.txt"))
	check(err)
	_, err = g.Seek(6, 0)
	check(err)
	buf := make([]byte, 4)
	_, err = g.Read(buf)
	check(err)
	check(g.Close())
	fmt.Printf("b.txt[6:10]: %q\n", buf)

	_, err = os.ReadFile(p("missing.txt"))
	fmt.Printf("missing.txt: not exist=%v\n", errors.Is(err, fs.ErrNotExist))
	_, err = os.ReadFile("/outside/sandbox.txt")
	fmt.Printf("outside the preopen fails=%v\n", err != nil)
}
