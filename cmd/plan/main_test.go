package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
)

func TestPlanProdPrintsTree(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "prod", "-dir", "../.."}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	text := out.String()
	urns, err := os.ReadFile("../../internal/plan/testdata/urns-prod.txt")
	require.NoError(t, err)
	for _, want := range []string{
		fmt.Sprintf("hardenedpg/prod: %d resources\n", strings.Count(string(urns), "\n")),
		"hardenedpg:index:Database database\n",
		"    aws:rds/instance:Instance database-instance-db [protected]\n",
		"        multiAz: true\n",
		"    aws:kms/key:Key database-storage-key-key [retained on delete]\n",
		"        policy: policy KeyAdministration [",
		"outputs:\n",
		"STATUS          CONTROL                   REFERENCES                          DETAIL\n",
		"PASS            rds-multi-az              RDS.5 RDS.15 CKV_AWS_157 2.2.4      multiAz is true; a cluster's instances are placed in two or more zones\n",
		// What does not fit the column is counted; the JSON has every reference.
		"PASS            sg-no-cidr-ingress        EC2.18 EC2.19 EC2.13 EC2.14 +7  ",
		"PASS            proxy-tls                 RDS.43                              every proxy requires TLS\n",
		"\nhardenedpg/prod: 62 pass, 0 fail, 0 waived, 13 not applicable\n",
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
	assert.Contains(t, errOut.String(), "configuration errors:\n")
	assert.Contains(t, errOut.String(), "\n  hardenedpg:multiAZ: unknown key; known keys: identifier, ")

	code = run([]string{"-stack", "missing", "-dir", dir}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Contains(t, errOut.String(), "Pulumi.missing.yaml: no such file or directory")
}

func TestPlanJSONDocument(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "dev", "-dir", "../..", "-json"}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	var doc struct {
		Project, Stack string
		Resources      []map[string]any
		Outputs        map[string]any
		Controls       []map[string]any
		Summary        map[string]float64
		Frameworks     []map[string]any
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not the documented JSON: %v", err)
	}
	assert.Equal(t, "hardenedpg", doc.Project)
	assert.Equal(t, "dev", doc.Stack)
	assert.Equal(t, map[string]float64{"pass": 35, "fail": 0, "waived": 14, "notApplicable": 26}, doc.Summary)
	require.Len(t, doc.Frameworks, len(baseline.Frameworks))
	for _, f := range doc.Frameworks {
		for _, k := range []string{"key", "name", "source", "requirements", "summary"} {
			assert.Contains(t, f, k)
		}
	}
	for _, r := range doc.Resources {
		for _, k := range []string{"urn", "type", "name", "parent", "custom", "protect", "dependsOn", "inputs"} {
			assert.Contains(t, r, k)
		}
	}
	var multiAz map[string]any
	for _, c := range doc.Controls {
		for _, k := range []string{"key", "title", "severity", "status", "resources", "detail", "refs"} {
			assert.Contains(t, c, k)
		}
		if c["key"] == "rds-multi-az" {
			multiAz = c
		}
	}
	assert.Equal(t, "waived", multiAz["status"])
	assert.Equal(t, "dev: a standby doubles the cost and dev tolerates an outage", multiAz["waiver"])
	assert.Equal(t, map[string]any{"securityHub": []any{"RDS.5", "RDS.15"}, "prowler": []any{"rds_instance_multi_az", "rds_cluster_multi_az"}, "checkov": []any{"CKV_AWS_157"}, "cis": []any{"2.2.4"},
		"cdkNag": []any{"RDSMultiAZSupport"}, "awsguard": []any{"rds-instance-multi-az-enabled"}, "compliancePolicies": []any{"aws-rds-cluster-disallow-single-availability-zone"}}, multiAz["refs"])
	assert.Equal(t, "orders-dev", doc.Outputs["address"].(string)[:10])
}

func TestPlanShowsWaiverAndRefusesItsAbsence(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Pulumi.yaml": "name: hardenedpg\nruntime: go\n",
		// Subnets nobody looks up: the evaluator has no proof they are private.
		"Pulumi.x.yaml": "config:\n  hardenedpg:identifier: x\n  hardenedpg:vpcId: vpc-0123456789abcdef0\n" +
			"  hardenedpg:subnetIds: [subnet-0000000a, subnet-0000000b]\n  hardenedpg:verifyPrivateSubnets: \"false\"\n" +
			"  hardenedpg:auditDestinationArn: arn:aws:logs:eu-west-1:210987654321:destination:a\n" +
			"  hardenedpg:alertEmails: [dba@example.com]\n  hardenedpg:backupReplicationRegion: eu-central-1\n" +
			"  hardenedpg:tags: {environment: x, owner: y}\n  hardenedpg:waivers: {rds-private-subnets: \"checked elsewhere\"}\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, exitOK, run([]string{"-stack", "x", "-dir", dir}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "WAIVED          rds-private-subnets")

	// The same stack without the waiver is refused before anything is planned.
	body, _ := os.ReadFile(filepath.Join(dir, "Pulumi.x.yaml"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.y.yaml"), bytes.Replace(body, []byte(`  hardenedpg:waivers: {rds-private-subnets: "checked elsewhere"}`+"\n"), nil, 1), 0o600))
	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitBadConfig, run([]string{"-stack", "y", "-dir", dir}, &out, &errOut))
	assert.Contains(t, errOut.String(), "hardenedpg:verifyPrivateSubnets = false: relaxes control rds-private-subnets")
}

func TestExitCodeFollowsFailures(t *testing.T) {
	assert.Equal(t, exitOK, exitFor(baseline.Summary{Pass: 3, Waived: 2, NotApplicable: 1}))
	assert.Equal(t, exitFailed, exitFor(baseline.Summary{Pass: 3, Fail: 1}))
}

// Static or not is the engine's word: max_files_per_process is postmaster in pg_settings, so it
// goes out with pending-reboot; a name PostgreSQL does not have is a configuration error.
func TestPlanParametersTakeTheEnginesApplyMethod(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	require.NoError(t, err)
	write("Pulumi.yaml", "name: hardenedpg\nruntime: go\n")
	write("Pulumi.static.yaml", string(prod)+"  hardenedpg:parameters:\n    max_files_per_process: \"2000\"\n")
	write("Pulumi.unknown.yaml", string(prod)+"  hardenedpg:parameters:\n    max_file_per_process: \"2000\"\n")

	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "static", "-dir", dir, "-json"}, &out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())
	var doc struct {
		Resources []struct {
			Type   string         `json:"type"`
			Inputs map[string]any `json:"inputs"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	found := false
	for _, r := range doc.Resources {
		if r.Type != baseline.TypeParameterGroup {
			continue
		}
		for _, p := range r.Inputs["parameters"].([]any) {
			if pm := p.(map[string]any); pm["name"] == "max_files_per_process" {
				found = true
				assert.Equal(t, map[string]any{"name": "max_files_per_process", "value": "2000", "applyMethod": "pending-reboot"}, pm)
			}
		}
	}
	assert.True(t, found, "the parameter is in the plan")

	out.Reset()
	errOut.Reset()
	code = run([]string{"-stack", "unknown", "-dir", dir}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Empty(t, out.String())
	assert.Equal(t, "configuration errors:\n  hardenedpg:parameters[\"max_file_per_process\"] = \"max_file_per_process\": PostgreSQL 17 has no parameter of that name (postgres17): see pg_settings, or the RDS parameters in AWS's documentation\n", errOut.String())
}

// stackDir writes Pulumi.yaml and one Pulumi.<name>.yaml per entry, each prod's config plus extra lines.
func stackDir(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: hardenedpg\nruntime: go\n"), 0o600))
	for name, extra := range stacks {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+name+".yaml"), append(prod, extra...), 0o600))
	}
	return dir
}

func linesOf(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file) //nolint:gosec // the repository's own file
	require.NoError(t, err)
	return strings.Count(string(b), "\n")
}

// The same input gives the same answer, and every misreading is a configuration error (exit 2).
func TestPlanStrictInput(t *testing.T) {
	dir := stackDir(t, map[string]string{
		"twice":     "  multiAz: \"false\"\n  hardenedpg:multiAz: \"true\"\n",
		"namespace": "  hardendpg:multiAz: \"false\"\n",
		// prod's last key is its tags map: a tag given twice inside it.
		"tagtwice": "    owner: someone-else\n",
	})
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"positional stack": {[]string{"-dir", dir, "prod"}, "plan: unexpected argument \"prod\": name the stack with -stack (e.g. -stack prod)\n"},
		"path as stack":    {[]string{"-dir", dir, "-stack", "/../x"}, "configuration errors:\n  stack name \"/../x\": want letters, digits, '-', '_' and '.' (a stack name, not a path)\n"},
		"dots as stack":    {[]string{"-dir", dir, "-stack", "a..b"}, "configuration errors:\n  stack name \"a..b\": want letters, digits, '-', '_' and '.' (a stack name, not a path)\n"},
		"key twice":        {[]string{"-dir", dir, "-stack", "twice"}, "configuration errors:\n  hardenedpg:multiAz: given twice in Pulumi.twice.yaml, as \"hardenedpg:multiAz\" and as \"multiAz\"; keep one\n"},
		"map key twice":    {[]string{"-dir", dir, "-stack", "tagtwice"}, fmt.Sprintf("configuration errors:\n  hardenedpg:tags: key \"owner\" is given twice (line %d); keep one\n", linesOf(t, "../../Pulumi.prod.yaml")+1)},
		"misspelt namespace": {[]string{"-dir", dir, "-stack", "namespace"},
			"configuration errors:\n  hardendpg:multiAz: unknown namespace \"hardendpg\"; this program reads hardenedpg, aws, pulumi\n"},
	} {
		t.Run(name, func(t *testing.T) {
			for range 10 { // map iteration must not change the answer
				var out, errOut bytes.Buffer
				assert.Equal(t, exitBadConfig, run(tc.args, &out, &errOut))
				assert.Empty(t, out.String())
				assert.Equal(t, tc.want, errOut.String())
			}
		})
	}
}

// secure: values are never decrypted offline: they plan as unknown, shown as [secret], and no
// ciphertext reaches the output, whether the whole value or a part of a list or map is secure.
func TestPlanAcceptsSecureValues(t *testing.T) {
	const cipher = "AAABAHNlY3JldC13ZWJob29rLXRva2VuLWNpcGhlcnRleHQ="
	dir := stackDir(t, map[string]string{
		"whole": "  hardenedpg:alertHttpsEndpoints:\n    secure: " + cipher + "\n",
		"parts": "  hardenedpg:alertHttpsEndpoints:\n    - secure: " + cipher + "\n  hardenedpg:waivers:\n    rds-multi-az:\n      secure: " + cipher + "\n  hardenedpg:multiAz: \"false\"\n",
	})
	for _, stack := range []string{"whole", "parts"} {
		t.Run(stack, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"-dir", dir, "-stack", stack}, &out, &errOut)
			assert.Equal(t, exitOK, code, errOut.String())
			assert.False(t, strings.Contains(out.String()+errOut.String(), cipher), "no ciphertext in the output")
			assert.True(t, strings.Contains(out.String(), "aws:sns/topicSubscription:TopicSubscription database-alerts-https-0\n        endpoint: \"[secret]\"\n"), "the endpoint plans as a secret")
		})
	}
}

// A network stack cannot be read offline: the plan asks for its outputs rather than inventing
// them, and plans with them once given.
func TestPlanNetworkStackNeedsItsOutputs(t *testing.T) {
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	require.NoError(t, err)
	var lines []string
	skipping := false
	for _, line := range strings.Split(string(prod), "\n") {
		switch {
		case strings.HasPrefix(line, "  hardenedpg:vpcId:"):
			continue
		case strings.HasPrefix(line, "  hardenedpg:subnetIds:"), strings.HasPrefix(line, "  hardenedpg:allowedSecurityGroupIds:"):
			skipping = true
			continue
		case skipping && strings.HasPrefix(line, "    - "):
			continue
		}
		skipping = false
		lines = append(lines, line)
	}
	config := strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n  hardenedpg:networkStack: acme/network/prod\n"
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: hardenedpg\nruntime: go\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.net.yaml"), []byte(config), 0o600))

	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "net", "-dir", dir}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Empty(t, out.String())
	assert.Equal(t, `hardenedpg:networkStack = "acme/network/prod": the offline plan cannot read another stack; give its outputs with -network-outputs FILE, written by: pulumi stack output --json --show-secrets -s acme/network/prod > FILE`+"\n", errOut.String())

	outputs := filepath.Join(dir, "network.json")
	require.NoError(t, os.WriteFile(outputs, []byte(`{"vpcId": "vpc-0a1b2c3d4e5f60001",
		"subnetIds": ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
		"allowedSecurityGroupIds": ["sg-0a1b2c3d4e5f60021"]}`), 0o600))
	out.Reset()
	errOut.Reset()
	code = run([]string{"-stack", "net", "-dir", dir, "-network-outputs", outputs}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, out.String(), "        vpcId: \"vpc-0a1b2c3d4e5f60001\"\n")
	assert.Contains(t, out.String(), "\nhardenedpg/net: 62 pass, 0 fail, 0 waived, 13 not applicable\n")

	errOut.Reset()
	code = run([]string{"-stack", "prod", "-dir", "../..", "-network-outputs", outputs}, &out, &errOut)
	assert.Equal(t, exitBadConfig, code)
	assert.Equal(t, "-network-outputs "+outputs+": stack prod has no hardenedpg:networkStack to answer\n", errOut.String())
}

// The policy pack relaxes exactly what the stack relaxes: -waivers-json gives its config.
func TestPlanWaiversForThePolicyPack(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "dev", "-dir", "../..", "-waivers-json"}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	var doc map[string]map[string]map[string]string
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	waivers := doc[baseline.PackWaiversPolicy]["waivers"]
	sc, err := plan.ReadStackConfig("../..", "dev")
	require.NoError(t, err)
	var configured map[string]string
	require.NoError(t, json.Unmarshal([]byte(sc.Values["hardenedpg:waivers"]), &configured))
	assert.Equal(t, configured, waivers, "every waiver of the stack's config")
	assert.Equal(t, "dev: a standby doubles the cost and dev tolerates an outage", waivers["rds-multi-az"])

	out.Reset()
	code = run([]string{"-stack", "prod", "-dir", "../..", "-waivers-json"}, &out, &errOut)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, `{"hardenedpg-waivers":{"waivers":{}}}`+"\n", out.String())
}

// TestPlanAsAFirstPreview plans each stack as its first `pulumi preview` sees it: what AWS assigns
// is unknown, linked to the resource that provides it, and the summary says what is proven.
func TestPlanAsAFirstPreview(t *testing.T) {
	for stack, want := range map[string]string{
		"prod":      "hardenedpg/prod: 61 pass, 0 fail, 0 waived, 13 not applicable, 1 unproven\nproven at preview: 61 of 62 applicable\n",
		"dev":       "hardenedpg/dev: 35 pass, 0 fail, 14 waived, 26 not applicable\nproven at preview: 49 of 49 applicable\n",
		"aurora":    "hardenedpg/aurora: 62 pass, 0 fail, 0 waived, 12 not applicable, 1 unproven\nproven at preview: 62 of 63 applicable\n",
		"restore":   "hardenedpg/restore: 58 pass, 0 fail, 0 waived, 16 not applicable, 1 unproven\nproven at preview: 58 of 59 applicable\n",
		"multiaz":   "hardenedpg/multiaz: 61 pass, 0 fail, 1 waived, 12 not applicable, 1 unproven\nproven at preview: 62 of 63 applicable\n",
		"reporting": "hardenedpg/reporting: 61 pass, 0 fail, 0 waived, 13 not applicable, 1 unproven\nproven at preview: 61 of 62 applicable\n",
	} {
		var out, errOut bytes.Buffer
		require.Equal(t, exitOK, run([]string{"-stack", stack, "-dir", "../..", "-preview"}, &out, &errOut), errOut.String())
		assert.True(t, strings.HasSuffix(out.String(), want), "%s:\n%s", stack, out.String())
	}

	var out, errOut bytes.Buffer
	require.Equal(t, exitOK, run([]string{"-stack", "prod", "-dir", "../..", "-preview", "-json"}, &out, &errOut), errOut.String())
	var doc plan.Document
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, "proven at preview: 61 of 62 applicable", doc.ProvenAtPreview)
	for _, r := range doc.Resources {
		if r.Type == baseline.TypeInstance {
			key := "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:EncryptionKey$aws:kms/key:Key::database-storage-key-key"
			assert.Equal(t, []string{key}, r.PropertyDependencies["kmsKeyId"])
			assert.Equal(t, baseline.Pending(key, "database-instance-db", "kmsKeyId"), r.Inputs["kmsKeyId"], "unknown until apply, from the key")
		}
	}

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitBadConfig, run([]string{"-stack", "prod", "-dir", "../..", "-preview", "-sql"}, &out, &errOut))
	assert.Equal(t, "-sql with -preview: the bootstrap SQL is a stack output, unknown at a preview; drop -preview\n", errOut.String())
}

// TestPlanAgainstTheBaseBranch prints, for the pull request, the controls whose status differs
// from the base branch's plan: a changed status, a control the base lacked, one it had.
func TestPlanAgainstTheBaseBranch(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, exitOK, run([]string{"-stack", "prod", "-dir", "../..", "-json"}, &out, &errOut), errOut.String())
	var doc plan.Document
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	dir := t.TempDir()
	same := filepath.Join(dir, "same.json")
	require.NoError(t, os.WriteFile(same, out.Bytes(), 0o600))
	out.Reset()
	require.Equal(t, exitOK, run([]string{"-stack", "prod", "-dir", "../..", "-base", same}, &out, &errOut), errOut.String())
	assert.Equal(t, "**Controls:** no control of `prod` changes its status against the base branch.\n", out.String())

	var controls []baseline.Result
	for _, c := range doc.Controls {
		switch c.Key {
		case "proxy-tls": // the base did not have it
		case "rds-multi-az":
			c.Status, c.Waiver = baseline.Waived, "base: one zone"
			controls = append(controls, c)
		default:
			controls = append(controls, c)
		}
	}
	doc.Controls = append(controls, baseline.Result{Key: "old-control", Title: "Gone", Status: baseline.Pass})
	changed := filepath.Join(dir, "changed.json")
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(changed, b, 0o600))
	out.Reset()
	require.Equal(t, exitOK, run([]string{"-stack", "prod", "-dir", "../..", "-base", changed}, &out, &errOut), errOut.String())
	assert.Equal(t, "**Controls that change against the base branch** (`prod`):\n\n"+
		"| control | base | this change | detail |\n|---|---|---|---|\n"+
		"| `rds-multi-az` | WAIVED | PASS | multiAz is true; a cluster's instances are placed in two or more zones |\n"+
		"| `proxy-tls` | (new) | PASS | every proxy requires TLS |\n"+
		"| `old-control` | PASS | (removed) |  |\n", out.String())

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitBadConfig, run([]string{"-stack", "prod", "-dir", "../..", "-base", same, "-json"}, &out, &errOut))
	assert.Equal(t, "plan: -base and -json each print a document of their own: give one\n", errOut.String())
	assert.Empty(t, out.String())

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitBadConfig, run([]string{"-stack", "prod", "-dir", "../..", "-base", filepath.Join(dir, "missing.json")}, &out, &errOut))
	assert.Equal(t, "-base: open "+filepath.Join(dir, "missing.json")+": no such file or directory\n", errOut.String())
}

// A secure: value of any key plans offline: a stand-in that passes validation takes its place,
// and the plan prints [secret] wherever it went, never the stand-in.
func TestPlanSecureValuesOfAnyKey(t *testing.T) {
	const cipher = "AAABAHNlY3JldC13ZWJob29rLXRva2VuLWNpcGhlcnRleHQ="
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: hardenedpg\nruntime: go\n"), 0o600))
	for stack, tc := range map[string]struct{ from, to, want string }{
		"destination": {"  hardenedpg:auditDestinationArn: arn:aws:logs:eu-west-1:210987654321:destination:central-audit\n",
			"  hardenedpg:auditDestinationArn:\n    secure: " + cipher + "\n", "        destinationArn: \"[secret]\"\n"},
		"tag": {"    owner: platform-team\n", "    owner:\n      secure: " + cipher + "\n", `"owner":"[secret]"`},
		"proxy user": {"    orders_batch: new\n",
			"    orders_batch:\n      secure: " + cipher + "\n", `"secretArn":"[secret]"`},
	} {
		t.Run(stack, func(t *testing.T) {
			require.Contains(t, string(prod), tc.from)
			name := strings.ReplaceAll(stack, " ", "-")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+name+".yaml"), []byte(strings.Replace(string(prod), tc.from, tc.to, 1)), 0o600))
			var out, errOut bytes.Buffer
			require.Equal(t, exitOK, run([]string{"-dir", dir, "-stack", name}, &out, &errOut), errOut.String())
			assert.Contains(t, out.String(), tc.want)
			assert.NotContains(t, out.String(), "stand-in", "the stand-in is never printed")
			assert.NotContains(t, out.String(), cipher)
			assert.True(t, strings.HasSuffix(out.String(), "hardenedpg/"+name+": 62 pass, 0 fail, 0 waived, 13 not applicable\n"), out.String()[len(out.String())-200:])
		})
	}
}

// bin/plan -stack dev -format sarif is a valid SARIF 2.1.0 log (the OASIS schema, vendored from
// npm @microsoft/jest-sarif 1.0.0-beta.0, lib/schemas/sarif-2.1.0-rtm.5.json), with a rule per
// control and a result per waived control, suppressed with its reason and pointing at its waiver.
func TestPlanSARIFValidatesAndListsTheWaivers(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-stack", "dev", "-dir", "../..", "-format", "sarif"}, &out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())

	schemaText, err := os.ReadFile("../../internal/plan/testdata/sarif-2.1.0-rtm.5.json")
	require.NoError(t, err)
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaText))
	require.NoError(t, err)
	compiler := jsonschema.NewCompiler()
	require.NoError(t, compiler.AddResource("sarif.json", schemaDoc))
	schema, err := compiler.Compile("sarif.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	require.NoError(t, err)
	require.NoError(t, schema.Validate(doc))
	// The schema bites: a log of another version is refused.
	bad, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(out.String(), `"version": "2.1.0"`, `"version": "2.0.0"`, 1)))
	require.NoError(t, err)
	require.Error(t, schema.Validate(bad))

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Rules []struct{ ID string } }
			}
			Results []struct {
				RuleID    string
				Kind      string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
				Suppressions []struct{ Kind, Status, Justification string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &log))
	run := log.Runs[0]
	assert.Len(t, run.Tool.Driver.Rules, len(baseline.Catalog))
	sc, err := plan.ReadStackConfig("../..", "dev")
	require.NoError(t, err)
	cfg, err := sc.Load()
	require.NoError(t, err)
	config, err := os.ReadFile("../../Pulumi.dev.yaml")
	require.NoError(t, err)
	lines := strings.Split(string(config), "\n")
	waived := map[string]string{}
	for _, r := range run.Results {
		assert.Equal(t, "fail", r.Kind, r.RuleID)
		require.Len(t, r.Suppressions, 1, r.RuleID)
		assert.Equal(t, "external", r.Suppressions[0].Kind)
		waived[r.RuleID] = r.Suppressions[0].Justification
		loc := r.Locations[0].PhysicalLocation
		assert.Equal(t, "../../Pulumi.dev.yaml", loc.ArtifactLocation.URI)
		assert.True(t, strings.HasPrefix(strings.TrimSpace(lines[loc.Region.StartLine-1]), r.RuleID+":"), "%s points at line %d", r.RuleID, loc.Region.StartLine)
	}
	assert.Equal(t, map[string]string(cfg.Args.Waivers), waived)
}
