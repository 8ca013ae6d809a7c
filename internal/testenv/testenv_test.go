package testenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSkipsOnlyUnderShortOutsideCI(t *testing.T) {
	for _, tc := range []struct {
		short   bool
		ci      string
		verdict verdict
		msg     string
	}{
		{false, "", run, ""},
		{false, "true", run, ""},
		{true, "", skip, "needs a real server: run without -short (make test)"},
		{true, "true", fail, "needs a real server, and CI=true runs every test: do not pass -short in CI"},
		{true, "1", fail, "needs a real server, and CI=1 runs every test: do not pass -short in CI"},
	} {
		v, msg := decide(tc.short, tc.ci, "a real server")
		assert.Equal(t, tc.verdict, v, "short=%v CI=%q", tc.short, tc.ci)
		assert.Equal(t, tc.msg, msg)
	}
}
