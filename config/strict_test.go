package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestLineMapPairsEveryNode checks the invariant decodeStrict relies on: the
// re-encoded copy parses back into exactly as many nodes as were copied, so
// that preorder pairs them.
func TestLineMapPairsEveryNode(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{
		"base":    base,
		"options": optionsBase,
		"example": string(example),
		"anchors": "a: &x\n  b: [1, {c: 2}]\n  d: |\n    text\n    more\ne: *x\nf:\n  <<: *x\n  g: 'q'\nh: &y [1, *x, {i: *y}]\n",
		"long":    "k: " + string(bytes.Repeat([]byte("v"), 300)) + "\n" + string(bytes.Repeat([]byte("k"), 200)) + ": 1\n",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			root, err := parseDocument([]byte(doc), name)
			if err != nil {
				t.Fatal(err)
			}
			cl := &cloner{seen: map[*yaml.Node]*yaml.Node{}}
			var buf bytes.Buffer
			enc := yaml.NewEncoder(&buf)
			if err := enc.Encode(cl.clone(root, "", 0)); err != nil {
				t.Fatal(err)
			}
			enc.Close()
			m := newLineMap(buf.Bytes(), cl.order)
			if len(m.kinds) != len(cl.order) {
				t.Fatalf("re-parsed %d nodes, copied %d:\n%s", len(m.kinds), len(cl.order), buf.Bytes())
			}
		})
	}
}

// TestExpandedTextStaysScalar checks that an expanded value cannot change
// the shape of the document: YAML syntax in a variable is just text.
func TestExpandedTextStaysScalar(t *testing.T) {
	t.Setenv("BG_YAML", "[a, b]")
	t.Setenv("BG_MAP", "{x: 1}\nbogus: 2")
	c, err := Parse([]byte(edit(8, 8, "    secret_key: ${BG_YAML}")+"default_backend: ${BG_MAP:-local}\n"), "c.yaml")
	if err == nil {
		t.Fatalf("default_backend %q accepted", c.DefaultBackend)
	}
	wantProblem(t, err, "c.yaml", 15, `default_backend: no backend named "${BG_MAP:-local}"`)
	c, err = Parse([]byte(edit(8, 8, "    secret_key: ${BG_YAML}")), "c.yaml")
	if err != nil || c.Users[0].SecretKey != "[a, b]" {
		t.Fatalf("secret = %q, %v", c.Users[0].SecretKey, err)
	}
}
