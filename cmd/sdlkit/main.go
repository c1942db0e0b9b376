// Command sdlkit runs the secure development lifecycle of IEC 62443-4-1:
// SBOMs, vulnerability management, signing and the evidence ledger.
//
// main stays thin: it sets up a signal-aware context, runs the CLI and exits
// with the code the CLI returns. Everything else lives in run and the domain
// packages.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sdlkit/sdlkit/internal/startup"
)

func main() {
	startup.Done()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
