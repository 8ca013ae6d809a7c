// Package testenv decides whether a test that needs real servers or the Pulumi CLI may be left
// out: only in the fast loop (-short, make check), never in CI, where every test runs.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// SkipWhenShort skips the test under -short outside CI; in CI (CI set, as GitHub Actions and
// .ci/run do) -short is a mistake that would count a skip as a pass, so the test fails instead.
func SkipWhenShort(t testing.TB, needs string) {
	t.Helper()
	switch verdict, msg := decide(testing.Short(), os.Getenv("CI"), needs); verdict {
	case skip:
		t.Skip(msg)
	case fail:
		t.Fatal(msg)
	}
}

type verdict int

const (
	run verdict = iota
	skip
	fail
)

func decide(short bool, ci, needs string) (verdict, string) {
	switch {
	case !short:
		return run, ""
	case ci != "":
		return fail, fmt.Sprintf("needs %s, and CI=%s runs every test: do not pass -short in CI", needs, ci)
	default:
		return skip, fmt.Sprintf("needs %s: run without -short (make test)", needs)
	}
}

// StandinFaults is the environment variable that names a file of resource types whose creates
// and updates the engine test's stand-in provider refuses, as AWS refuses one halfway through an
// up (a quota, a throttled call, a refused parameter).
const StandinFaults = "HARDENEDPG_STANDIN_FAULTS"

// StandinAccount is the environment variable that names the file of the secrets the engine test's
// stand-in provider has created: the account it stands in for, empty when the test starts. A proxy
// whose auth names a secret not in it is refused, as in an empty account the proxy could not
// sign in with it.
const StandinAccount = "HARDENEDPG_STANDIN_ACCOUNT"
