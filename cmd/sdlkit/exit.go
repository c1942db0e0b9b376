package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// Exit codes, mapped here and nowhere else. They do not depend on the output
// format. See 'sdlkit help exit-codes'.
const (
	exitOK          = 0   // success
	exitFailed      = 1   // the check failed: findings over threshold, gate denied, signature or ledger invalid
	exitInput       = 2   // usage or input error
	exitInterrupted = 130 // interrupted by a signal
)

// cliError carries an exit code and hints with an error.
type cliError struct {
	code  int
	err   error
	hints []string
}

func (e *cliError) Error() string   { return e.err.Error() }
func (e *cliError) Unwrap() error   { return e.err }
func (e *cliError) Hints() []string { return e.hints }

// usageErrorf is a mistake in how the command was called (exit 2).
func usageErrorf(format string, args ...any) error {
	return &cliError{code: exitInput, err: fmt.Errorf(format, args...), hints: []string{"run 'sdlkit --help' or 'sdlkit COMMAND --help' for usage"}}
}

// checkFailed marks err as a failed check (exit 1): the input was read, and
// it did not pass.
func checkFailed(err error, hints ...string) error {
	return &cliError{code: exitFailed, err: err, hints: hints}
}

// inputError marks err as an input error (exit 2) with hints for the user.
func inputError(err error, hints ...string) error {
	return &cliError{code: exitInput, err: err, hints: hints}
}

// exitCode maps an error to its exit code. Errors that no command classified
// are input errors: they come from reading files, flags or arguments.
func exitCode(err error) int {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitInput
}

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What sdlkit's exit codes mean",
		Long: `sdlkit exits with one of these codes, whatever the output format:

  0    ok: the command did what was asked and every check passed
  1    the check failed: findings over the threshold, a release gate denied,
       a signature, bundle or ledger that is invalid
  2    usage or input error: an unknown command or flag, a file that cannot
       be read or parsed, a bad argument
  130  interrupted (SIGINT or SIGTERM)

Errors print one line 'sdlkit: error: …' on stderr, sometimes followed by
'sdlkit: hint: …' lines. Data goes to stdout only.`,
	}
}
