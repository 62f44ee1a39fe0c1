package storekit

import "github.com/babelgate/babelgate/translate"

// RedirectMeta is the user-metadata name under which the kit keeps an
// object's website redirect location for a driver that declares
// Abilities.RedirectInMetadata (a store that drops or lacks
// x-amz-website-redirect-location: MinIO, OSS). It never reaches a client.
const RedirectMeta = "babelgate-website-redirect-location"

// toStore is m as the driver gets it: with its website redirect location
// also under RedirectMeta when the driver declared it, and with the kit's
// entry (KeptMeta) when entry is not "" (a client's own metadata of that
// name is dropped either way).
func (b *Backend) toStore(m translate.Metadata, entry string) translate.Metadata {
	_, forged := m.User[KeptMeta]
	redirect := b.ab.RedirectInMetadata && m.WebsiteRedirectLocation != ""
	if !redirect && entry == "" && !forged {
		return m
	}
	m = m.Clone()
	if m.User == nil {
		m.User = map[string]string{}
	}
	delete(m.User, KeptMeta)
	if redirect {
		m.User[RedirectMeta] = m.WebsiteRedirectLocation
	}
	if entry != "" {
		m.User[KeptMeta] = entry
	}
	if len(m.User) == 0 {
		m.User = nil
	}
	return m
}

// described completes the description a driver's Head or Get gave:
// fromStore, and no checksum type without checksums (a driver may copy
// the store's type field as it comes).
func (b *Backend) described(info *translate.ObjectInfo) {
	b.fromStore(&info.Metadata)
	if len(info.Checksum) == 0 {
		info.ChecksumType = ""
	}
}

// fromStore moves a redirect location kept under RedirectMeta out of
// m.User, preferring the one the store reported itself. The kit's entry
// (KeptMeta) stays, for Stager.ApplyKept.
func (b *Backend) fromStore(m *translate.Metadata) {
	v, ok := m.User[RedirectMeta]
	if !ok {
		return
	}
	delete(m.User, RedirectMeta)
	if len(m.User) == 0 {
		m.User = nil
	}
	if m.WebsiteRedirectLocation == "" {
		m.WebsiteRedirectLocation = v
	}
}
