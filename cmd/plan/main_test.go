package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlanProdPrintsTree(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "prod", "-dir", "../.."}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	text := out.String()
	assert.Contains(t, text, "hardenedpg/prod: 24 resources\n")
	assert.Contains(t, text, "hardenedpg:index:Database database\n")
	assert.Contains(t, text, "    aws:rds/instance:Instance database-instance-db [protected]\n")
	assert.Contains(t, text, "        multiAz: true\n")
	assert.Contains(t, text, "    aws:kms/key:Key database-storage-key-key [retained on delete]\n")
	assert.Contains(t, text, `        policy: policy KeyAdministration [`)
	assert.Contains(t, text, "outputs:\n")
}

func TestPlanBadConfigExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Pulumi.yaml", "name: hardenedpg\nruntime: go\n")
	write("Pulumi.bad.yaml", "config:\n  hardenedpg:identifier: orders\n  hardenedpg:vpcId: vpc-0123456789abcdef0\n  hardenedpg:port: \"5432\"\n  hardenedpg:multiAZ: \"false\"\n")
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "bad", "-dir", dir}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Empty(t, out.String())
	assert.Contains(t, errOut.String(), "configuration errors:\n  hardenedpg:multiAZ: unknown key; known keys: identifier, ")

	code = run([]string{"-stack", "missing", "-dir", dir}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Contains(t, errOut.String(), "Pulumi.missing.yaml: no such file or directory")
}
