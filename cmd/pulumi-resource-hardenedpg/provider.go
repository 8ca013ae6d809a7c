package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	comProvider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// Name is the package name: every type token is hardenedpg:index:<Name>, as the library's are.
const Name = "hardenedpg"

// component is one component the plugin serves: the library's own constructor.
type component struct {
	token     string
	args      reflect.Type // the Args struct
	resource  reflect.Type // the component struct, whose tagged fields are its outputs
	inferred  infer.InferredComponent
	construct comProvider.ConstructFunc
}

// serve makes a component of a library constructor. Its schema is inferred from the Args and the
// component types; its inputs are decoded into the Args here, because the SDK's decoding fills
// only an Args struct's own fields, not those of its embedded settings.
func serve[A any, O pulumi.ComponentResource](token string, fn func(*pulumi.Context, string, *A, ...pulumi.ResourceOption) (O, error)) component {
	return component{
		token:    token,
		args:     reflect.TypeFor[A](),
		resource: reflect.TypeFor[O]().Elem(),
		inferred: infer.ComponentF(fn),
		construct: func(ctx *pulumi.Context, _, name string, inputs comProvider.ConstructInputs, opts pulumi.ResourceOption) (*comProvider.ConstructResult, error) {
			args := new(A)
			if err := copyInputs(inputs, args); err != nil {
				return nil, fmt.Errorf("%s %q: %w", token, name, err)
			}
			c, err := fn(ctx, name, args, opts)
			if err != nil {
				return nil, err
			}
			// Not comProvider.NewConstructResult: it names an output by its whole tag
			// ("alertsTopicArn,optional") and reads no embedded struct's fields.
			return &comProvider.ConstructResult{URN: c.URN(), State: hardenedpg.Outputs(c)}, nil
		},
	}
}

// copyInputs fills args and, from the same flat inputs, each settings struct it embeds.
func copyInputs(inputs comProvider.ConstructInputs, args any) error {
	if err := inputs.CopyTo(args); err != nil {
		return err
	}
	v := reflect.ValueOf(args).Elem()
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := copyInputs(inputs, v.Field(i).Addr().Interface()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Components are the components the plugin serves: the whole Database, and the parts a program
// composes alone.
var Components = []component{
	serve(hardenedpg.DatabaseType, hardenedpg.NewDatabase),
	serve(hardenedpg.EncryptionKeyType, hardenedpg.NewEncryptionKey),
	serve(hardenedpg.SecurityGroupType, hardenedpg.NewSecurityGroup),
	serve(hardenedpg.SubnetGroupType, hardenedpg.NewSubnetGroup),
	serve(hardenedpg.ParameterGroupType, hardenedpg.NewParameterGroup),
	serve(hardenedpg.InstanceType, hardenedpg.NewInstance),
	serve(hardenedpg.ClusterType, hardenedpg.NewCluster),
	serve(hardenedpg.AuditLogShippingType, hardenedpg.NewAuditLogShipping),
	serve(hardenedpg.ProxyType, hardenedpg.NewProxy),
}

//go:embed docs.json
var docsJSON []byte

// Provider is the plugin: infer's schema and components, with the library's documentation in
// the schema and inputs decoded into the library's Args.
func Provider() (p.Provider, error) {
	inferred := make([]infer.InferredComponent, len(Components))
	byToken := map[tokens.Type]component{}
	for i, c := range Components {
		inferred[i] = c.inferred
		byToken[tokens.Type(c.token)] = c
	}
	var docs Docs
	if err := json.Unmarshal(docsJSON, &docs); err != nil {
		return p.Provider{}, fmt.Errorf("docs.json: %w", err)
	}
	prov, err := infer.NewProviderBuilder().
		WithComponents(inferred...).
		WithModuleMap(map[tokens.ModuleName]tokens.ModuleName{"hardenedpg": "index"}).
		WithDisplayName("hardenedpg").
		WithDescription("Amazon RDS for PostgreSQL, hardened by default: every applicable control passes, every relaxation needs a waiver.").
		WithLicense("Apache-2.0").
		WithRepository("https://github.com/hardenedpg/pulumi-hardenedpg").
		WithKeywords("aws", "rds", "postgresql", "security", "kind/component").
		Build()
	if err != nil {
		return p.Provider{}, err
	}
	getSchema := prov.GetSchema
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := getSchema(ctx, req)
		if err != nil {
			return resp, err
		}
		var spec pschema.PackageSpec
		if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
			return resp, err
		}
		if err := document(&spec, docs); err != nil {
			return resp, err
		}
		out, err := json.Marshal(spec)
		resp.Schema = string(out)
		return resp, err
	}
	construct := prov.Construct
	prov.Construct = func(ctx context.Context, req p.ConstructRequest) (p.ConstructResponse, error) {
		c, ok := byToken[req.Urn.Type()]
		if !ok {
			return construct(ctx, req)
		}
		return p.ProgramConstruct(ctx, req, c.construct)
	}
	return prov, nil
}

// goTypes maps each schema token to the Go struct it was inferred from: the components' Args and
// the settings structs they hold.
func goTypes() map[string]reflect.Type {
	types := map[string]reflect.Type{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[hardenedpg.DatabaseArgs]().PkgPath() {
			return
		}
		token := Name + ":index:" + t.Name()
		if _, seen := types[token]; seen {
			return
		}
		types[token] = t
		for _, f := range reflect.VisibleFields(t) {
			if _, tagged := f.Tag.Lookup("pulumi"); tagged {
				walk(f.Type)
			}
		}
	}
	for _, c := range Components {
		for _, f := range reflect.VisibleFields(c.args) {
			if _, tagged := f.Tag.Lookup("pulumi"); tagged {
				walk(f.Type)
			}
		}
	}
	return types
}

// document fills every description of the schema from the library's doc comments.
func document(spec *pschema.PackageSpec, docs Docs) error {
	var missing []string
	describe := func(t reflect.Type, props map[string]pschema.PropertySpec) {
		for _, f := range reflect.VisibleFields(t) {
			name, ok := propertyName(f)
			if !ok {
				continue
			}
			prop, ok := props[name]
			if !ok {
				continue
			}
			setPlain(&prop.TypeSpec, f.Type)
			props[name] = prop
			key := declaringType(t, f).Name() + "." + f.Name
			if doc := docs.Fields[key]; doc != "" {
				prop.Description = doc
				props[name] = prop
			} else {
				missing = append(missing, key)
			}
		}
	}
	for _, c := range Components {
		r, ok := spec.Resources[c.token]
		if !ok {
			return fmt.Errorf("the schema has no resource %s", c.token)
		}
		r.Description = docs.Types[c.resource.Name()]
		describe(c.args, r.InputProperties)
		r.RequiredInputs = requiredProperties(c.args)
		describe(c.resource, r.Properties)
		spec.Resources[c.token] = r
	}
	for token, t := range goTypes() {
		typ, ok := spec.Types[token]
		if !ok {
			continue // an Args type: its fields are a resource's inputs
		}
		typ.Description = docs.Types[t.Name()]
		describe(t, typ.Properties)
		typ.Required = requiredProperties(t)
		spec.Types[token] = typ
	}
	if len(missing) > 0 {
		return fmt.Errorf("fields without documentation: %s", strings.Join(missing, ", "))
	}
	return nil
}

var inputType = reflect.TypeFor[pulumi.Input]()

// setPlain marks a property plain exactly where its Go type is not a pulumi input, at every
// level: a []pulumi.StringInput is a plain list of inputs, a pulumi.StringArrayInput an input
// list, a settings struct a plain object. (infer marks plain only the top level of a component's
// inputs, and a pulumi.StringArrayInput's elements.)
func setPlain(ts *pschema.TypeSpec, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(inputType) {
		for s := ts; s != nil; {
			s.Plain = false
			switch {
			case s.Items != nil:
				s = s.Items
			case s.AdditionalProperties != nil:
				s = s.AdditionalProperties
			default:
				s = nil
			}
		}
		return
	}
	ts.Plain = true
	switch {
	case t.Kind() == reflect.Slice && ts.Items != nil:
		setPlain(ts.Items, t.Elem())
	case t.Kind() == reflect.Map && ts.AdditionalProperties != nil:
		setPlain(ts.AdditionalProperties, t.Elem())
	}
}

// requiredProperties are the schema names of t's required fields: those whose tag is not
// optional, except a group of settings none of which is required (its zero value is whole).
func requiredProperties(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if name, ok := propertyName(f); ok && isRequired(f) {
			names = append(names, name)
		}
	}
	return names
}

func isRequired(f reflect.StructField) bool {
	if strings.Contains(f.Tag.Get("pulumi"), ",optional") {
		return false
	}
	if f.Type.Kind() != reflect.Struct {
		return true
	}
	for _, g := range reflect.VisibleFields(f.Type) {
		if _, ok := propertyName(g); ok && isRequired(g) {
			return true
		}
	}
	return false
}

// propertyName is the schema name of a field: its pulumi tag's name.
func propertyName(f reflect.StructField) (string, bool) {
	tag, ok := f.Tag.Lookup("pulumi")
	if !ok || f.Anonymous || !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	return name, true
}

// declaringType is the struct that declares f: t, or the settings struct t embeds.
func declaringType(t reflect.Type, f reflect.StructField) reflect.Type {
	for _, i := range f.Index[:len(f.Index)-1] {
		t = t.Field(i).Type
	}
	return t
}
