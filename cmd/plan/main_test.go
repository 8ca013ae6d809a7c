package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlanProdPrintsTree(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "prod", "-dir", "../.."}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	text := out.String()
	for _, want := range []string{
		"hardenedpg/prod: 54 resources\n",
		"hardenedpg:index:Database database\n",
		"    aws:rds/instance:Instance database-instance-db [protected]\n",
		"        multiAz: true\n",
		"    aws:kms/key:Key database-storage-key-key [retained on delete]\n",
		"        policy: policy KeyAdministration [",
		"outputs:\n",
		"STATUS          CONTROL                   REFERENCES                     DETAIL\n",
		"PASS            rds-multi-az              RDS.5 CKV_AWS_157 2.2.4        multiAz is true\n",
		"NOT-APPLICABLE  proxy-tls                 RDS.43                         the stack has no aws:rds/proxy:Proxy\n",
		"\nhardenedpg/prod: 45 pass, 0 fail, 0 waived, 1 not applicable\n",
	} {
		assert.True(t, strings.Contains(text, want), "the plan lacks %q", want)
	}
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
