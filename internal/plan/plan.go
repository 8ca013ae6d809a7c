// Package plan runs the stack program offline, under hardenedpgtest, with the configuration of a
// real Pulumi.<stack>.yaml: what cmd/plan prints and what the stack tests assert.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
)

// SecretPlaceholder stands for a secure: value, which is never decrypted offline.
const SecretPlaceholder = config.SecretPlaceholder

// StackConfig is the configuration of one stack as the engine would pass it to the program.
type StackConfig struct {
	Project string
	Stack   string
	// Values are keyed "namespace:key"; lists and maps are JSON, as Pulumi passes them.
	Values     map[string]string
	SecretKeys []string
}

// stackNamePattern is Pulumi's rule for a stack name; a path is not a stack name.
var stackNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// ReadStackConfig reads Pulumi.yaml and Pulumi.<stack>.yaml from dir. A bad stack name, a key
// given twice (as key and project:key) or an unknown namespace is a ConfigError, all reported
// together.
func ReadStackConfig(dir, stack string) (*StackConfig, error) {
	if !stackNamePattern.MatchString(stack) || strings.Contains(stack, "..") {
		return nil, &ConfigError{&config.Error{Problems: []string{fmt.Sprintf("stack name %q: want letters, digits, '-', '_' and '.' (a stack name, not a path)", stack)}}}
	}
	var project struct {
		Name string `yaml:"name"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &project); err != nil {
		return nil, err
	}
	var file struct {
		Config map[string]yaml.Node `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi."+stack+".yaml"), &file); err != nil {
		return nil, err
	}
	sc := &StackConfig{Project: project.Name, Stack: stack, Values: map[string]string{}}
	written := map[string]string{} // full key -> the key as written
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(file.Config)) {
		node := file.Config[key]
		full := key
		if _, _, ok := cutNamespace(key); !ok {
			full = project.Name + ":" + key // Pulumi's rule: a bare key belongs to the project
		}
		if first, dup := written[full]; dup {
			problems = append(problems, fmt.Sprintf("%s: given twice in Pulumi.%s.yaml, as %q and as %q; keep one", full, stack, first, key))
			continue
		}
		written[full] = key
		value, secret, err := configValue(&node)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", full, err))
			continue
		}
		sc.Values[full] = value
		if secret {
			sc.SecretKeys = append(sc.SecretKeys, full)
		}
	}
	if len(problems) > 0 {
		return nil, &ConfigError{&config.Error{Problems: problems}}
	}
	return sc, nil
}

func cutNamespace(key string) (string, string, bool) {
	for i := range key {
		if key[i] == ':' {
			return key[:i], key[i+1:], true
		}
	}
	return "", key, false
}

func readYAML(path string, v any) error {
	b, err := os.ReadFile(path) //nolint:gosec // the stack files the user points the plan at
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// configValue renders a config node the way the Pulumi engine passes it: scalars as their text,
// lists and maps as JSON. A {secure: ...} value, whole or inside a list or map, is a secret that
// is never decrypted offline: it reads as SecretPlaceholder, and its ciphertext is never shown.
func configValue(node *yaml.Node) (string, bool, error) {
	if node.Kind == yaml.ScalarNode {
		return node.Value, false, nil
	}
	if isSecure(node) {
		return SecretPlaceholder, true, nil
	}
	v, secret, err := plainValue(node)
	if err != nil {
		return "", false, err
	}
	b, err := json.Marshal(v)
	return string(b), secret, err
}

func isSecure(node *yaml.Node) bool {
	return node.Kind == yaml.MappingNode && len(node.Content) == 2 && node.Content[0].Value == "secure"
}

// plainValue decodes a node with its secure leaves replaced by SecretPlaceholder.
func plainValue(node *yaml.Node) (any, bool, error) {
	switch {
	case isSecure(node):
		return SecretPlaceholder, true, nil
	case node.Kind == yaml.SequenceNode:
		out, secret := make([]any, len(node.Content)), false
		for i, item := range node.Content {
			v, s, err := plainValue(item)
			if err != nil {
				return nil, false, err
			}
			out[i], secret = v, secret || s
		}
		return out, secret, nil
	case node.Kind == yaml.MappingNode:
		out, secret := map[string]any{}, false
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := node.Content[i]
			if _, twice := out[key.Value]; twice {
				// YAML keeps the last silently; which one was meant is the writer's to say.
				return nil, false, fmt.Errorf("key %q is given twice (line %d); keep one", key.Value, key.Line)
			}
			v, s, err := plainValue(node.Content[i+1])
			if err != nil {
				return nil, false, err
			}
			out[key.Value], secret = v, secret || s
		}
		return out, secret, nil
	}
	var v any
	err := node.Decode(&v)
	return v, false, err
}

// Keys lists the configured keys, sorted.
func (sc *StackConfig) Keys() []string {
	keys := make([]string, 0, len(sc.Values))
	for k := range sc.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Load reads the stack's hardenedpg configuration as the program does; a problem is a
// ConfigError. Misspelt keys are caught here: offline no engine passes PULUMI_CONFIG for the
// program to list.
func (sc *StackConfig) Load() (*config.Config, error) {
	cfg, err := config.Load(func(key string) (string, bool) {
		v, ok := sc.Values[config.Namespace+":"+key]
		return v, ok
	}, sc.Keys(), func(key string) bool { return slices.Contains(sc.SecretKeys, key) }, hardenedpg.ParseDefaultTags(sc.Values[hardenedpg.DefaultTagsConfigKey]))
	if err != nil {
		return nil, &ConfigError{err}
	}
	return cfg, nil
}

// Result is one offline run of the program.
type Result struct {
	Config    *StackConfig
	Resources []hardenedpgtest.Resource
	Invokes   []hardenedpgtest.Invoke
	Outputs   map[string]any
	// Graph is what the controls were evaluated over.
	Graph *baseline.Graph
	// Controls is the scorecard: every control of the catalog on this stack.
	Controls []baseline.Result
	Summary  baseline.Summary
	// Preview says the run was a first preview: values AWS assigns at apply were unknown.
	Preview bool
}

// ConfigError is bad configuration: the program registered nothing.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Program is a stack program that returns its outputs, like stack.Program.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Run runs program with the stack's configuration against m (a fresh monitor when nil); a monitor
// that previews (PreviewFirst) runs it as a first `pulumi preview`, whose outputs are unknown.
func Run(sc *StackConfig, m *hardenedpgtest.Monitor, program Program) (*Result, error) {
	if m == nil {
		m = hardenedpgtest.New()
	}
	cfg, err := sc.Load()
	if err != nil {
		return nil, err
	}
	resolved := make(chan map[string]any, 1)
	err = m.Run(sc.Project, sc.Stack, sc.Values, sc.SecretKeys, func(ctx *pulumi.Context) error {
		outputs, err := program(ctx)
		if err != nil {
			return err
		}
		outputs.ToMapOutput().ApplyT(func(v map[string]any) map[string]any {
			resolved <- v
			return v
		})
		return nil
	})
	if err != nil {
		var cfgErr *config.Error
		if errors.As(err, &cfgErr) {
			return nil, &ConfigError{cfgErr}
		}
		return nil, err
	}
	var outputs map[string]any
	select {
	case v := <-resolved:
		if outputs, err = plainJSON(v); err != nil {
			return nil, err
		}
	default: // a preview: the outputs wait for apply
	}
	redactStandIns(m.Resources(), outputs, config.StandIns(sc.SecretKeys))
	graph := m.Graph()
	controls := baseline.Evaluate(graph, cfg.Args.Waivers)
	return &Result{
		Config: sc, Resources: m.Resources(), Invokes: m.Invokes(), Outputs: outputs, Graph: graph,
		Controls: controls, Summary: baseline.Summarize(controls), Preview: m.Previewing(),
	}, nil
}

// redactStandIns prints SecretPlaceholder wherever a secret's offline stand-in went, inside any
// string of the resources' inputs and outputs (a policy naming a secret's ARN included) and of the
// stack's outputs: the plan never shows a made-up value as if it were the secret.
func redactStandIns(resources []hardenedpgtest.Resource, stackOutputs map[string]any, standIns []string) {
	if len(standIns) == 0 {
		return
	}
	var redact func(v any) any
	redact = func(v any) any {
		switch x := v.(type) {
		case string:
			for _, s := range standIns {
				x = strings.ReplaceAll(x, s, SecretPlaceholder)
			}
			return x
		case []any:
			for i := range x {
				x[i] = redact(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = redact(x[k])
			}
		}
		return v
	}
	for _, r := range resources {
		redact(r.Inputs)
		redact(r.Outputs)
	}
	redact(stackOutputs)
}

// plainJSON gives outputs the shapes of inputs (maps of any, float64 numbers) by a JSON round trip.
func plainJSON(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}
