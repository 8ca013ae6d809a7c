// Command previewguard reads `pulumi preview --json` and fails when the preview would replace or
// delete a resource that holds data, its keys or the evidence of what happened to it: the
// instance and its backup replication, the KMS keys, the audit log groups and their subscription
// filters, the backup vault, its lock, plan and selection, and the archive's bucket with its
// Object Lock, versioning, encryption, policy and public access block. It fails closed: input it
// cannot read completely, a step it cannot place, or a summary that disagrees with the steps is
// refused too. CI runs it on every pull request and before every deployment.
//
//	pulumi preview --json -s prod > preview.json
//	previewguard -summary summary.md < preview.json
//
// With -summary it also writes, as Markdown for a PR comment or a job summary, the verdict and
// the changes the preview would make, so one preview feeds both the guard and the reviewers.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Guarded are the resource types whose loss loses data or evidence.
var Guarded = []string{
	baseline.TypeInstance,
	baseline.TypeCluster, // a cluster's storage (Aurora's instances hold no data)

	baseline.TypeBackupReplication,
	baseline.TypeKey,
	baseline.TypeLogGroup,
	baseline.TypeSubscriptionFilter,
	baseline.TypeBackupVault,
	baseline.TypeBackupVaultLock,
	baseline.TypeBackupPlan,
	baseline.TypeBackupSelection,
	baseline.TypeBucket,
	baseline.TypeBucketObjectLock,
	baseline.TypeBucketVersioning,
	baseline.TypeBucketEncryption,
	baseline.TypeBucketPolicy,
	baseline.TypeBucketPublicAccess,
	baseline.TypeFirehose,
}

// destructive are the step operations that remove or replace the existing resource.
var destructive = []string{
	"replace", "create-replacement", "delete-replaced", "delete", "discard", "discard-replaced",
	"import-replacement", "read-replacement", "remove-pending-replace",
}

// knownOps are the step operations the engine reports (apitype.OpType of the pinned SDK): one
// the guard does not know may destroy what it guards, so it is refused until the guard learns it.
var knownOps = []string{
	"same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read",
	"read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "import", "import-replacement",
}

// counted are the operations the preview's changeSummary counts once per step it shows; same
// steps are hidden from the steps unless asked for, and replacement halves are not counted.
var counted = []string{"create", "update", "delete", "replace", "import", "import-replacement", "discard"}

type step struct {
	Op  string `json:"op"`
	URN string `json:"urn"`
	// Diffs are the top-level properties an update or replacement changes (the engine's
	// diffReasons, pkg/display.PreviewStep).
	Diffs []string `json:"diffReasons"`
	// OldState and NewState carry the inputs before and after, which day-two changes are read from.
	OldState *state `json:"oldState"`
	NewState *state `json:"newState"`
}

type state struct {
	Inputs map[string]any `json:"inputs"`
}

// input is a step's input before (old) or after the change; "" when absent or not a string.
func (s step) input(old bool, key string) string {
	st := s.NewState
	if old {
		st = s.OldState
	}
	if st == nil {
		return ""
	}
	v, _ := st.Inputs[key].(string)
	return v
}

func (s step) has(key string) bool {
	return s.NewState != nil && s.NewState.Inputs[key] != nil
}

type preview struct {
	Steps         *[]step        `json:"steps"`
	ChangeSummary map[string]int `json:"changeSummary"`
	// dayTwo are the sentences of the changes a reviewer must not miss (dayTwo).
	dayTwo []string
}

const (
	verdictRefused = "refused: this change would destroy data or evidence, or cannot be read completely; if that is intended, do it in a reviewed change that first lifts protection"
	verdictPassed  = "previewguard: no data- or evidence-holding resource is replaced or deleted"
)

func main() {
	summary := flag.String("summary", "", "also write the verdict and the changes as Markdown to this file")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, os.Stderr, *summary))
}

// run is the command: exit 0 when the preview passes, 1 when it is refused, 2 when unreadable.
func run(in io.Reader, stdout, stderr io.Writer, summaryFile string) int {
	raw, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintln(stderr, "previewguard: reading pulumi preview --json:", err)
		return 2
	}
	p, findings, err := check(raw)
	verdict, code := verdictPassed, 0
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "previewguard:", err)
		verdict, code = "previewguard: "+err.Error(), 2
	case len(findings) > 0:
		verdict, code = verdictRefused, 1
	}
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
	}
	if p != nil {
		for _, d := range p.dayTwo {
			fmt.Fprintln(stdout, "day two: "+d)
		}
	}
	if err == nil {
		fmt.Fprintln(stdout, verdict)
	}
	if summaryFile != "" {
		if werr := os.WriteFile(summaryFile, []byte(markdown(p, findings, verdict)), 0o600); werr != nil {
			fmt.Fprintln(stderr, "previewguard:", werr)
			return 2
		}
	}
	return code
}

// markdown renders the verdict, what it refuses, and every step that changes something.
func markdown(p *preview, findings []string, verdict string) string {
	var b strings.Builder
	mark := "✅"
	if len(findings) > 0 || p == nil {
		mark = "❌"
	}
	fmt.Fprintf(&b, "%s %s\n", mark, verdict)
	for _, f := range findings {
		fmt.Fprintf(&b, "- `%s`\n", f)
	}
	if p == nil || p.Steps == nil {
		return b.String()
	}
	if len(p.dayTwo) > 0 {
		b.WriteString("\n**Day two:**\n")
		for _, d := range p.dayTwo {
			fmt.Fprintf(&b, "- %s\n", d)
		}
	}
	var counts []string
	for _, op := range slices.Sorted(maps.Keys(p.ChangeSummary)) {
		counts = append(counts, fmt.Sprintf("%d %s", p.ChangeSummary[op], op))
	}
	fmt.Fprintf(&b, "\n**Changes:** %s\n", strings.Join(counts, ", "))
	var rows []string
	for _, s := range *p.Steps {
		if s.Op == "same" {
			continue
		}
		typ, _ := typeOf(s.URN)
		name := nameOf(s.URN)
		rows = append(rows, fmt.Sprintf("| %s | `%s` | `%s` | %s |", s.Op, typ, name, strings.Join(s.Diffs, ", ")))
	}
	if len(rows) > 0 {
		b.WriteString("\n| op | type | name | changed |\n|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n")
	}
	return b.String()
}

// orNone lists majors, or says there are none.
func orNone(majors []string) string {
	if len(majors) == 0 {
		return "none"
	}
	return strings.Join(majors, ", ")
}

// databaseTypes hold a database's engine version and how it was created.
var databaseTypes = []string{baseline.TypeInstance, baseline.TypeCluster}

// parameterGroupTypes are replaced, create-before-delete, when their family changes.
var parameterGroupTypes = []string{baseline.TypeParameterGroup, baseline.TypeClusterParameters}

// dayTwo says in a sentence what a step does that an op alone does not tell a reviewer: a major
// upgrade in place, a parameter group moving to a new family, a database restored from a snapshot
// or a point in time. refused is set for a change AWS would refuse or that replaces the database.
func dayTwo(s step) (sentence string, refused bool) {
	typ, _ := typeOf(s.URN)
	name := nameOf(s.URN)
	restore := ""
	switch {
	case s.has("snapshotIdentifier"):
		restore = "from snapshot " + s.input(false, "snapshotIdentifier")
	case s.has("restoreToPointInTime"):
		restore = "to a point in time"
	}
	switch {
	case slices.Contains(databaseTypes, typ) && s.Op == "update" && slices.Contains(s.Diffs, "engineVersion"):
		from, to := s.input(true, "engineVersion"), s.input(false, "engineVersion")
		if baseline.MajorOf(from) == baseline.MajorOf(to) {
			return fmt.Sprintf("%s: engine version %s → %s (a minor version pin; auto minor upgrades are meant to choose it)", name, from, to), false
		}
		if baseline.MajorNumber(baseline.MajorOf(to)) < baseline.MajorNumber(baseline.MajorOf(from)) {
			return fmt.Sprintf("%s: downgrades PostgreSQL %s → %s, which RDS refuses; restore a snapshot taken on %s into a new stack instead", name, from, to, to), true
		}
		// A cluster of engine postgres is a Multi-AZ DB cluster, upgraded along RDS's paths.
		engine := s.input(false, "engine")
		if engine == "" {
			engine = map[bool]string{true: "postgres", false: baseline.AuroraEngine}[typ == baseline.TypeInstance]
		}
		if targets := baseline.UpgradeTargets(engine, baseline.MajorOf(from)); !slices.Contains(targets, baseline.MajorOf(to)) {
			// The paths the config takes (baseline.MajorUpgradeTargets): RDS refuses the others.
			return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s, a path AWS does not offer in place (from %s: %s); upgrade through a major it offers", name, from, to, baseline.MajorOf(from), orNone(targets)), true
		}
		allowed := s.NewState != nil && s.NewState.Inputs["allowMajorVersionUpgrade"] == true
		if !allowed {
			return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s without allowMajorVersionUpgrade, which RDS refuses; set upgradeFromMajorVersion: %q", name, from, to, baseline.MajorOf(from)), true
		}
		if s.NewState.Inputs["applyImmediately"] != true {
			// Review round 3, finding 1 (terraform-provider-aws#6448): the database stays a member of
			// its old-family group until the window, and the group's delete in this up is refused.
			return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s in the next maintenance window, but this up also deletes the old parameter group, which RDS refuses while the database is still its member: apply it at once (applyImmediately: true)", name, from, to), true
		}
		switch {
		case typ == baseline.TypeCluster && engine == baseline.AuroraEngine:
			// RDS's guide documents the snapshots before and after for an instance; for Aurora, its
			// continuous backups are the restore points.
			return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s in place, at once (applyImmediately): the cluster is down while it upgrades, its continuous backups keep their restore points, and it is not replaced", name, from, to), false
		case typ == baseline.TypeCluster:
			return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s in place, at once (applyImmediately): the Multi-AZ DB cluster is down while it upgrades, and it is not replaced", name, from, to), false
		}
		return fmt.Sprintf("%s: upgrades PostgreSQL %s → %s in place, at once (applyImmediately): the database is down while pg_upgrade runs, RDS snapshots it before and after, and the instance is not replaced", name, from, to), false
	case slices.Contains(parameterGroupTypes, typ) && slices.Contains(destructive, s.Op) && slices.Contains(s.Diffs, "family"):
		if s.Op != "replace" {
			return "", false // the replacement's halves say nothing new
		}
		return fmt.Sprintf("%s: parameter group family %s → %s: the new group is created before the old one is deleted", name, s.input(true, "family"), s.input(false, "family")), false
	case slices.Contains(databaseTypes, typ) && restore != "" && s.Op == "create":
		return fmt.Sprintf("%s: a new database restored %s, beside what exists", name, restore), false
	case slices.Contains(databaseTypes, typ) && restore != "" && slices.Contains(destructive, s.Op):
		return fmt.Sprintf("%s: restoring %s into the existing database replaces it and loses what it holds; restore into a new stack beside it", name, restore), true
	}
	return "", false
}

// nameOf is the resource name a URN ends with (the whole string when it has none).
func nameOf(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// check returns the preview and one line per step it refuses; an error when the input is not one
// preview document.
func check(raw []byte) (*preview, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var p *preview
	if err := dec.Decode(&p); err != nil {
		return nil, nil, fmt.Errorf("reading pulumi preview --json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("reading pulumi preview --json: want exactly one JSON document, found more after the first")
	}
	switch {
	case p == nil:
		return nil, nil, errors.New("reading pulumi preview --json: the document is null, not a preview")
	case p.Steps == nil:
		return nil, nil, errors.New(`reading pulumi preview --json: no "steps" list (a preview always lists at least the stack itself)`)
	case p.ChangeSummary == nil:
		return nil, nil, errors.New(`reading pulumi preview --json: no "changeSummary" to check the steps against (a preview that finished has one)`)
	}
	var findings []string
	shown := map[string]int{}
	for i, s := range *p.Steps {
		shown[s.Op]++
		typ, ok := typeOf(s.URN)
		switch {
		case s.Op == "":
			findings = append(findings, fmt.Sprintf("step %d has no op: %s", i, s.URN))
		case !slices.Contains(knownOps, s.Op):
			findings = append(findings, fmt.Sprintf("step %d has the op %q, which previewguard does not know (it knows %s): what it does to %s cannot be judged", i, s.Op, strings.Join(knownOps, ", "), s.URN))
		case !ok:
			findings = append(findings, fmt.Sprintf("%s step %d has no readable URN (%q): its resource cannot be known", s.Op, i, s.URN))
		case slices.Contains(destructive, s.Op) && slices.Contains(Guarded, typ):
			findings = append(findings, fmt.Sprintf("%s %s (%s)", s.Op, s.URN, typ))
		}
		if sentence, refused := dayTwo(s); sentence != "" {
			p.dayTwo = append(p.dayTwo, sentence)
			if refused {
				findings = append(findings, sentence)
			}
		}
	}
	for _, op := range slices.Sorted(maps.Keys(p.ChangeSummary)) {
		if slices.Contains(counted, op) && p.ChangeSummary[op] != shown[op] {
			findings = append(findings, fmt.Sprintf("changeSummary says %d %s, the steps show %d: the steps are incomplete", p.ChangeSummary[op], op, shown[op]))
		}
	}
	for _, op := range slices.Sorted(maps.Keys(shown)) {
		if _, summarised := p.ChangeSummary[op]; slices.Contains(counted, op) && !summarised {
			findings = append(findings, fmt.Sprintf("the steps show %d %s, changeSummary none", shown[op], op))
		}
	}
	return p, findings, nil
}

// typeOf is the resource type of a URN: urn:pulumi:stack::project::parent$type::name.
func typeOf(urn string) (string, bool) {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 || !strings.HasPrefix(urn, "urn:pulumi:") {
		return "", false
	}
	qualified := parts[2]
	typ := qualified[strings.LastIndex(qualified, "$")+1:]
	return typ, strings.Count(typ, ":") == 2
}
