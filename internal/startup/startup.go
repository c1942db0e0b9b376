// Package startup keeps the garbage collector from running while Go
// initialises sdlkit's packages. Their initialisation allocates about 3 MB
// (compiled regular expressions, protobuf descriptors), which crosses the
// collector's first goal of 4 MB: one collection during start-up, about
// 2 ms of every sdlkit call (GODEBUG=gctrace=1), for a process that often
// lives 20 ms. The package has no dependencies besides runtime/debug, so Go
// initialises it among the first; main calls Done when initialisation is
// over, which restores the collector as GOGC set it.
package startup

import "runtime/debug"

// percent is the GC percentage to restore: GOGC's, or the default.
var percent = debug.SetGCPercent(-1)

// Done turns the garbage collector back on. Call it first thing in main.
func Done() {
	debug.SetGCPercent(percent)
}
