// A Go TCP echo server on the listener `wasmaot run --tcplisten` hands in as fd 3 (checked by
// tests/harness/src/bin/wasi.rs, `run/tcplisten-go`): Go's netpoller waits on the socket
// with poll_oneoff fd subscriptions and accepts non-blocking.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	l, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		fmt.Println("FileListener:", err)
		os.Exit(1)
	}
	c, err := l.Accept()
	if err != nil {
		fmt.Println("accept:", err)
		os.Exit(1)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("got %q %v\n", line, err)
	fmt.Fprintf(c, "echo: %s", line)
	c.Close()
	l.Close()
}
