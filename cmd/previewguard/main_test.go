package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefusesDestroyingData(t *testing.T) {
	const doc = `{"steps": [
	  {"op": "same", "urn": "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Instance$aws:rds/instance:Instance::database-instance-db"},
	  {"op": "update", "urn": "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:ParameterGroup$aws:rds/parameterGroup:ParameterGroup::database-parameter-group-params"},
	  {"op": "replace", "urn": "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Instance$aws:rds/instance:Instance::database-instance-db"},
	  {"op": "delete", "urn": "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:EncryptionKey$aws:kms/key:Key::database-logs-key-key"},
	  {"op": "create-replacement", "urn": "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:ParameterGroup$aws:rds/parameterGroup:ParameterGroup::database-parameter-group-params"},
	  {"op": "delete", "urn": "urn:pulumi:prod::hardenedpg::aws:cloudwatch/logGroup:LogGroup::top-level-logs"}
	]}`
	findings, err := check(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"replace urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Instance$aws:rds/instance:Instance::database-instance-db (aws:rds/instance:Instance)",
		"delete urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:EncryptionKey$aws:kms/key:Key::database-logs-key-key (aws:kms/key:Key)",
		"delete urn:pulumi:prod::hardenedpg::aws:cloudwatch/logGroup:LogGroup::top-level-logs (aws:cloudwatch/logGroup:LogGroup)",
	}, findings, "a parameter group replacement is fine: it is create-before-delete and holds no data")
}

func TestCleanPreviewAndBadInput(t *testing.T) {
	findings, err := check(strings.NewReader(`{"steps": [], "changeSummary": {"same": 60}}`))
	require.NoError(t, err)
	assert.Empty(t, findings)
	_, err = check(strings.NewReader(`not json`))
	assert.ErrorContains(t, err, "reading pulumi preview --json")
}
