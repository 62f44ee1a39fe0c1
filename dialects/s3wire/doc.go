// Package s3wire holds the S3-family wire forms that S3, OBS and (in part)
// OSS share: the routing-table matcher, the XML documents S3 and OBS spell
// alike, the parsers of listing, part, copy-source, range and condition
// parameters, the <Error> encoder, the metadata and body readers, and the
// handlers (and the routing table over them) whose flow is the same in S3
// and OBS.
//
// Nothing here branches on a dialect's name. What tells one wire form from
// another (header prefix, namespace, storage-class and SSE spellings, which
// checksums are reported, element order) is data in a [Profile] or an
// [ErrorForm] that the dialect fills in; what a dialect alone has (its
// signatures, metadata and body decoding, error table, operations with no
// S3-family twin) stays in the dialect's own package.
package s3wire
