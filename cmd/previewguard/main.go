// Command previewguard reads `pulumi preview --json` and fails when the preview would replace or
// delete a resource that holds data or its keys: the database instance, KMS keys, log groups,
// the backup vault or the archive bucket. CI runs it on every pull request.
//
//	pulumi preview --json -s prod | go run ./cmd/previewguard
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Guarded are the resource types whose loss loses data.
var Guarded = []string{
	"aws:rds/instance:Instance",
	"aws:kms/key:Key",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:backup/vault:Vault",
	"aws:s3/bucketV2:BucketV2",
}

// destructive are the preview step operations that remove the existing resource.
var destructive = []string{"replace", "create-replacement", "delete-replaced", "delete", "discard", "discard-replaced"}

type preview struct {
	Steps []struct {
		Op  string `json:"op"`
		URN string `json:"urn"`
	} `json:"steps"`
}

func main() {
	findings, err := check(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "previewguard:", err)
		os.Exit(2)
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	if len(findings) > 0 {
		fmt.Println("refused: this change would destroy data; if that is intended, do it in a reviewed change that first lifts protection")
		os.Exit(1)
	}
	fmt.Println("previewguard: no data-holding resource is replaced or deleted")
}

// check returns one line per destructive step on a guarded resource.
func check(r io.Reader) ([]string, error) {
	var p preview
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("reading pulumi preview --json: %w", err)
	}
	var findings []string
	for _, s := range p.Steps {
		if !slices.Contains(destructive, s.Op) {
			continue
		}
		if typ := typeOf(s.URN); slices.Contains(Guarded, typ) {
			findings = append(findings, fmt.Sprintf("%s %s (%s)", s.Op, s.URN, typ))
		}
	}
	return findings, nil
}

// typeOf is the resource type of a URN: urn:pulumi:stack::project::parent$type::name.
func typeOf(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	qualified := parts[2]
	return qualified[strings.LastIndex(qualified, "$")+1:]
}
