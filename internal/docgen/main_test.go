package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadmeIsGenerated(t *testing.T) {
	committed, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	want, err := update(string(committed))
	require.NoError(t, err)
	assert.Equal(t, want, string(committed), "README.md is stale: run go generate ./...")
}

func TestUpdateNeedsMarkers(t *testing.T) {
	_, err := update("no markers")
	assert.ErrorContains(t, err, "markers")
}
