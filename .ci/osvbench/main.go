// Command osvbench is the helper of .ci/bench-scan.sh and .ci/bench-scale.sh:
// it packs OSV advisories as osv-scanner's offline database, turns the JSON
// results of osv-scanner and sdlkit into comparable finding lines, compares
// them, times commands side by side, and shows how the bytes of sdlkit's
// store file are spent. It is a benchmark tool, not part of sdlkit, and
// imports none of sdlkit's packages: it checks sdlkit from the outside.
//
//	osvbench pack -fixtures DIR -out DBDIR
//	osvbench findings -from osv-scanner|sdlkit RESULT.json...
//	osvbench compare [-a LABEL] [-b LABEL] [-sbom SBOM] [-db DBDIR] [-list-both=false] A.txt B.txt
//	osvbench measure [-runs N] [-warmup N] [-prep CMD] [-tsv FILE] -- LABEL CMD ARGS... [:: LABEL CMD ARGS...]
//	osvbench storestats STORE.db
//
// Exit status: 0 ok, 1 a command failed, 2 usage error. A comparison with
// differences is not a failure: the scripts print them and go on.
package main

import (
	"fmt"
	"os"
)

const usage = `usage:
  osvbench pack -fixtures DIR -out DBDIR
  osvbench findings -from osv-scanner|sdlkit RESULT.json...
  osvbench compare [-a LABEL] [-b LABEL] [-sbom SBOM] [-db DBDIR] [-list-both=false] A.txt B.txt
  osvbench measure [-runs N] [-warmup N] [-prep CMD] [-tsv FILE] -- LABEL CMD ARGS... [:: LABEL CMD ARGS...]
  osvbench storestats STORE.db
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	commands := map[string]func([]string) error{
		"pack":       runPack,
		"findings":   runFindings,
		"compare":    runCompare,
		"measure":    runMeasure,
		"storestats": runStoreStats,
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "osvbench %s: %v\n", os.Args[1], err)
		if _, isUsage := err.(usageError); isUsage {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a wrong command line.
type usageError string

func (e usageError) Error() string { return string(e) }
