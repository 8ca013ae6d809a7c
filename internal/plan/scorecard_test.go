package plan_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
)

// A reason or detail cannot forge or hide a row: line breaks, escapes, tabs and invisible
// characters are printed escaped.
func TestScorecardEscapesWhatCouldForgeARow(t *testing.T) {
	r := &plan.Result{Config: &plan.StackConfig{Project: "p", Stack: "s"}, Controls: []baseline.Result{{
		Key: "rds-multi-az", Status: baseline.Waived, Detail: "multiAz is false",
		Waiver: "ok\nPASS            rds-encrypted\t\x1b[8mhidden\u202e\u200b",
	}}}
	var out bytes.Buffer
	plan.WriteScorecard(&out, r)
	lines := strings.FieldsFunc(out.String(), func(r rune) bool { return r == '\n' })
	assert.Len(t, lines, 3, "header, one row, summary:\n%s", out.String())
	assert.Contains(t, out.String(), `waived: ok\u000aPASS            rds-encrypted\u0009\u001b[8mhidden\u202e\u200b (found: multiAz is false)`)
}

// A row judged after waivers of one resource says what they relaxed, beside what still fails.
func TestScorecardShowsWhatAWaiverOfOneResourceRelaxed(t *testing.T) {
	r := &plan.Result{Config: &plan.StackConfig{Project: "p", Stack: "s"}, Controls: []baseline.Result{{
		Key: "rds-multi-az", Status: baseline.Fail, Detail: "orders: multiAz is false, want true",
		Relaxed: []baseline.Relaxed{{Waiver: "rds-multi-az/scratch", Reason: "rebuilt nightly", Problem: "scratch: multiAz is false, want true"}},
	}}}
	var out bytes.Buffer
	plan.WriteScorecard(&out, r)
	assert.Contains(t, out.String(), "FAIL    rds-multi-az  -           orders: multiAz is false, want true (waived for scratch: rebuilt nightly (found: scratch: multiAz is false, want true))\n")
}
