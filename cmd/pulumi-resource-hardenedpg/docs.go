package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Docs are the doc comments of the library's exported types and struct fields, keyed by type
// name and by Type.Field: the schema's descriptions. docs.json holds them for the plugin, which
// runs without the sources; TestDocsAreTheLibrarysComments keeps it equal to the comments.
type Docs struct {
	Types  map[string]string `json:"types"`
	Fields map[string]string `json:"fields"`
}

// ReadDocs reads the doc comments of the Go package in dir (tests excluded). A field without a
// comment of its own shares the comment of the field above it when that comment names it
// ("Emails and HTTPSEndpoints are ...").
func ReadDocs(dir string) (Docs, error) {
	docs := Docs{Types: map[string]string{}, Fields: map[string]string{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return docs, err
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file) //nolint:gosec // the library's own sources
		if err != nil {
			return docs, err
		}
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return docs, err
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				if !ts.Name.IsExported() {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gen.Specs) == 1 {
					doc = gen.Doc
				}
				docs.Types[ts.Name.Name] = text(doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				shared := ""
				for _, field := range st.Fields.List {
					own := strings.TrimSpace(text(field.Doc) + " " + text(field.Comment))
					for _, name := range field.Names {
						switch {
						case !name.IsExported(): // not the schema's, nor the caller's
						case own != "":
							docs.Fields[ts.Name.Name+"."+name.Name] = own
							shared = own
						case mentions(shared, name.Name):
							docs.Fields[ts.Name.Name+"."+name.Name] = shared
						}
					}
				}
			}
		}
	}
	return docs, nil
}

// text is a comment as one paragraph per blank-line-separated block.
func text(c *ast.CommentGroup) string {
	if c == nil {
		return ""
	}
	paragraphs := strings.Split(strings.TrimSpace(c.Text()), "\n\n")
	for i, para := range paragraphs {
		paragraphs[i] = strings.Join(strings.Fields(para), " ")
	}
	return strings.Join(paragraphs, "\n\n")
}

func mentions(doc, name string) bool {
	return doc != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(name)+`\b`).MatchString(doc)
}
