package hardenedpg

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The connections threshold follows RDS's formula on DBInstanceClassMemory, not nominal memory:
// 80% of LEAST(DBInstanceClassMemory/9531392, 5000). The max_connections it implies match what RDS
// showed for the same memory (198 for 2 GiB, 856 for 8 GiB).
func TestConnectionsThresholdFollowsDBInstanceClassMemory(t *testing.T) {
	for class, want := range map[string]int{
		"db.t4g.small":   157,  // max_connections 197
		"db.m7g.large":   684,  // 856
		"db.r7g.xlarge":  2739, // 3424
		"db.r7g.8xlarge": 4000, // LEAST(..., 5000)
		"db.zz9.large":   0,    // no such class
	} {
		assert.Equal(t, want, defaultConnections(class, 0), class)
	}
}
