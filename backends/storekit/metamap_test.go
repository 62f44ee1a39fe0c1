package storekit

import (
	"reflect"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestMetaMap: user metadata, Expires and the redirect location survive
// the store's names (read back in any case); the driver's other own names
// and nil values are left out.
func TestMetaMap(t *testing.T) {
	c := MetaMap{Names: IdentMeta{Prefix: "x_", Own: []string{"exp", "redir", "mine"}}, Expires: "exp", Redirect: "redir"}
	m := translate.Metadata{Expires: "Thu, 01 Jan 2037 00:00:00 GMT", WebsiteRedirectLocation: "/else",
		User: map[string]string{"plain": "1", "with-dash": "2", "mine": "3", "Upper": "4"}}
	stored := c.ToStore(m)
	if len(stored) != 6 || *stored["exp"] != m.Expires || *stored["redir"] != "/else" || *stored["plain"] != "1" || stored["with-dash"] != nil {
		t.Fatalf("ToStore = %v", stored)
	}
	shouted := map[string]*string{"MINE": new(string), "nil": nil}
	for k, v := range stored {
		shouted[k] = v
		if k == "plain" {
			shouted["PLAIN"], shouted[k] = v, nil
		}
	}
	var back translate.Metadata
	c.FromStore(shouted, &back)
	want := translate.Metadata{Expires: m.Expires, WebsiteRedirectLocation: "/else",
		User: map[string]string{"plain": "1", "with-dash": "2", "mine": "3", "upper": "4"}}
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("FromStore = %+v, want %+v", back, want)
	}
	if v := MetaValue(shouted, "Exp"); v != m.Expires {
		t.Fatalf("MetaValue = %q", v)
	}
	if v := MetaValue(shouted, "absent"); v != "" {
		t.Fatalf("MetaValue of a missing name = %q", v)
	}
}
