package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocsAreGenerated(t *testing.T) {
	committed, err := read("../..")
	require.NoError(t, err)
	want, err := update(committed)
	require.NoError(t, err)
	for path, text := range want {
		assert.Equal(t, text, committed[path], "%s is stale: run go generate ./...", path)
	}
}

func TestUpdateNeedsMarkersInOneFile(t *testing.T) {
	_, err := update(map[string]string{"README.md": "no markers"})
	assert.ErrorContains(t, err, `want its markers in one file, found them in 0`)
}
