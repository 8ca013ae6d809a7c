package hardenedpg_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// A Database's network problems are the subnet and security group settings' own, under
// "Network.": each of their fields must be a field of NetworkSettings of the same name and type.
func TestNetworkSettingsHoldEveryPartSetting(t *testing.T) {
	network := reflect.TypeFor[hardenedpg.NetworkSettings]()
	var parts int
	for _, part := range []reflect.Type{reflect.TypeFor[hardenedpg.SubnetGroupSettings](), reflect.TypeFor[hardenedpg.SecurityGroupSettings]()} {
		for f := range part.Fields() {
			got, ok := network.FieldByName(f.Name)
			if assert.True(t, ok, "NetworkSettings lacks %s.%s", part.Name(), f.Name) {
				assert.Equal(t, f.Type, got.Type, "NetworkSettings.%s", f.Name)
			}
			parts++
		}
	}
	assert.Equal(t, network.NumField(), parts, "NetworkSettings has a field no part reads")
}
