package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every key is a row of Keys: a key without its own set sets its Field by the field's type, and
// a value of that type reaches the field.
func TestEveryKeySetsItsFieldByType(t *testing.T) {
	samples := map[string]string{"string": "x", "whole number": "3", "number": "1.5", "true or false": "true",
		"list of strings": `["a"]`, "map of strings": `{"a":"b"}`}
	for _, k := range Keys {
		require.NotEmpty(t, k.Type(), "%s: a type the configuration page can name", k.Name)
		if k.set != nil {
			continue
		}
		raw, ok := samples[k.Type()]
		require.True(t, ok, "%s: no sample of %s", k.Name, k.Type())
		switch {
		case k.Inverted:
			raw = "false" // sets the field that says "off"
		case k.Name == "vpcId":
			raw = "vpc-1"
		}
		c := &Config{}
		require.NoError(t, k.apply(c, raw), k.Name)
		assert.False(t, argsField(&c.Args, k.Field).IsZero(), "%s: %s is still its zero value", k.Name, k.Field)
	}
}
