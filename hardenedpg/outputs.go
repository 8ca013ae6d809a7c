package hardenedpg

import (
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// registerOutputs registers the outputs of component c (see Outputs).
func registerOutputs(ctx *pulumi.Context, c pulumi.ComponentResource) error {
	return ctx.RegisterResourceOutputs(c, Outputs(c))
}

// Outputs are the outputs of component c: its fields tagged pulumi:"name" (those of a struct it
// embeds too), the same fields the component package's schema lists, so what a Go program reads,
// what the engine records and what other languages get are one set. An output a component left
// unset (nil) is not among them.
func Outputs(c pulumi.ComponentResource) pulumi.Map {
	v := reflect.ValueOf(c).Elem()
	outputs := pulumi.Map{}
	for _, f := range reflect.VisibleFields(v.Type()) {
		tag, ok := f.Tag.Lookup("pulumi")
		if !ok || f.Anonymous || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		switch value := v.FieldByIndex(f.Index).Interface().(type) {
		case string:
			outputs[name] = pulumi.String(value)
		case pulumi.Output:
			if reflect.ValueOf(value).FieldByName("OutputState").IsNil() {
				continue
			}
			outputs[name] = value
		}
	}
	return outputs
}
