package storekit

import (
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// MetaMap is the metadata of an object on a store that takes only
// identifiers as metadata names, in the form its SDK takes (Azure's:
// names to values): user metadata under Names' encoding, and Expires and
// the website redirect location, which such a store may have no property
// for, under the driver's own names Expires and Redirect ("" for none;
// both among Names.Own).
type MetaMap struct {
	Names             IdentMeta
	Expires, Redirect string
}

// ToStore is the store's metadata for m.
func (c MetaMap) ToStore(m translate.Metadata) map[string]*string {
	out := make(map[string]*string, len(m.User)+2)
	for k, v := range m.User {
		out[c.Names.Encode(strings.ToLower(k))] = &v
	}
	for name, v := range map[string]string{c.Expires: m.Expires, c.Redirect: m.WebsiteRedirectLocation} {
		if name != "" && v != "" {
			out[name] = &v
		}
	}
	return out
}

// FromStore reads ToStore's metadata (names in any case) back into m; the
// driver's other own names are left out.
func (c MetaMap) FromStore(stored map[string]*string, m *translate.Metadata) {
	for k, v := range stored {
		switch k = strings.ToLower(k); {
		case v == nil:
		case k == c.Expires && k != "":
			m.Expires = *v
		case k == c.Redirect && k != "":
			m.WebsiteRedirectLocation = *v
		default:
			if n, ok := c.Names.Decode(k); ok {
				if m.User == nil {
					m.User = map[string]string{}
				}
				m.User[n] = *v
			}
		}
	}
}

// MetaValue is the value of the entry name (any case) of a store's
// metadata, "" if none.
func MetaValue(stored map[string]*string, name string) string {
	for k, v := range stored {
		if strings.EqualFold(k, name) && v != nil {
			return *v
		}
	}
	return ""
}
