package translate

import "path"

// Principal is an authenticated caller and what it may do.
type Principal struct {
	AccessKey string
	// Grants are bucket-name patterns (path.Match syntax; "*" is every
	// bucket) with the access each allows. Access is the greatest granted by
	// any matching pattern.
	Grants []Grant
}

// Grant allows Access on the buckets matching Pattern.
type Grant struct {
	Pattern string
	Access  Access // AccessRead or AccessWrite (write implies read)
}

// Allowed returns whether p may perform an operation needing access on bucket.
func (p *Principal) Allowed(bucket string, access Access) bool {
	if p == nil {
		return false
	}
	if access == AccessNone {
		return true
	}
	for _, g := range p.Grants {
		if ok, _ := path.Match(g.Pattern, bucket); ok && g.Access >= access {
			return true
		}
	}
	return false
}

// OwnsBucket reports whether p stands for the owner of bucket. babelgate
// records no bucket owners: its buckets belong to the gateway's operator,
// as a cloud's buckets belong to an account, so the owner of every bucket
// is a principal granted write on every bucket (the pattern "*"). A grant
// that only happens to match bucket ("photos", "alice-*") gives access,
// not ownership: several principals may hold such grants.
func (p *Principal) OwnsBucket(bucket string) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Pattern == "*" && g.Access >= AccessWrite {
			return true
		}
	}
	return false
}
