package hardenedpg

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A relaxation of a control the catalog does not have, or cannot waive, is a bug in this package:
// it panics rather than ask users for a waiver no one could give.
func TestRelaxRefusesUnknownAndUnwaivableControls(t *testing.T) {
	var p problems
	assert.PanicsWithValue(t, `hardenedpg: Port relaxes "rds-port", which is not a waivable control of the catalog`, func() {
		p.relax(nil, "rds-port", "Port", 5432, "5433")
	})
	assert.PanicsWithValue(t, `hardenedpg: StorageEncrypted relaxes "rds-encrypted", which is not a waivable control of the catalog`, func() {
		p.relaxAll(nil, []string{"rds-encrypted"}, "StorageEncrypted", false, "true")
	})
	assert.Empty(t, p)
}
