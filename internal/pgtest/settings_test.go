package pgtest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

// The committed pg_settings tables are what the engines say today: regenerate and compare.
func TestEngineParameterTablesMatchTheEngines(t *testing.T) {
	testenv.SkipWhenShort(t, "real PostgreSQL servers")
	for _, major := range baseline.SupportedMajorVersions {
		t.Run("pg"+major, func(t *testing.T) {
			t.Parallel()
			got, err := pgtest.ReadSettings(major)
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join("..", "..", "baseline", "pgsettings", major+".tsv"))
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "baseline/pgsettings/%s.tsv is stale: run go generate ./baseline", major)
		})
	}
	t.Run("keywords", func(t *testing.T) {
		t.Parallel()
		got, err := pgtest.ReadReservedKeywords(baseline.KeywordsMajor)
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join("..", "..", "baseline", "pgsettings", "keywords.txt"))
		require.NoError(t, err)
		assert.Equal(t, string(want), got, "baseline/pgsettings/keywords.txt is stale: run go generate ./baseline")
	})
}
