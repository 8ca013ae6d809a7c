package plan_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

var update = flag.Bool("update", false, "rewrite testdata/urns-<stack>.txt and plan-<stack>.json from today's plans")

// Existing stacks keep their resources: every URN a released plan had is in today's plan, or is
// an alias of one of its resources (the engine then moves the state instead of replacing). The
// inventories are testdata/urns-<stack>.txt; -update rewrites them once a change is intended.
func TestURNsAreStable(t *testing.T) {
	for _, name := range []string{"prod", "dev", "aurora", "restore", "multiaz", "reporting"} {
		t.Run(name, func(t *testing.T) {
			sc, err := plan.ReadStackConfig("../..", name)
			require.NoError(t, err)
			m := hardenedpgtest.New()
			result, err := plan.Run(sc, m, stack.Program)
			require.NoError(t, err)
			var urns, known []string
			for _, r := range result.Graph.Resources {
				urns = append(urns, r.URN)
				known = append(known, r.URN)
				known = append(known, r.Aliases...)
			}
			slices.Sort(urns)
			golden := filepath.Join("testdata", "urns-"+name+".txt")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(strings.Join(urns, "\n")+"\n"), 0o600))
				return
			}
			raw, err := os.ReadFile(golden)
			require.NoError(t, err)
			before := strings.Fields(string(raw))
			for _, urn := range before {
				assert.Contains(t, known, urn, "a resource of today's %s stack is gone without an alias: the engine would delete it", name)
			}
			assert.Equal(t, before, urns, "the %s plan's resources changed: if intended, go test ./internal/plan -run TestURNsAreStable -update", name)
		})
	}
}

// The whole plan of each stack, as `bin/plan -json` prints it, is a golden file: any change to a
// resource or input shows as a reviewable diff of testdata/plan-<stack>.json (-update rewrites).
func TestPlansMatchTheirGoldenFiles(t *testing.T) {
	for _, name := range []string{"prod", "dev", "aurora", "restore", "multiaz", "reporting"} {
		t.Run(name, func(t *testing.T) {
			sc, err := plan.ReadStackConfig("../..", name)
			require.NoError(t, err)
			result, err := plan.Run(sc, nil, stack.Program)
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, plan.WriteJSON(&got, result))
			golden := filepath.Join("testdata", "plan-"+name+".json")
			if *update {
				require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o600))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			// Checked with Equal on strings would print 100 KB; say where they part instead.
			if !bytes.Equal(want, got.Bytes()) {
				wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")
				for i := range min(len(wantLines), len(gotLines)) {
					if wantLines[i] != gotLines[i] {
						t.Fatalf("the %s plan differs from %s at line %d:\nwant %s\ngot  %s\nif intended: go test ./internal/plan -run TestPlansMatchTheirGoldenFiles -update", name, golden, i+1, wantLines[i], gotLines[i])
					}
				}
				t.Fatalf("the %s plan has %d lines, %s %d: go test ./internal/plan -update", name, len(gotLines), golden, len(wantLines))
			}
		})
	}
}
