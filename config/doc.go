// Package config is babelgate's configuration file: the YAML schema, strict
// decoding with YAML line numbers, environment expansion, defaults and
// validation. It imports translate (for the dialect rules and access levels)
// and nothing HTTP.
//
// # Loading
//
// [Load] and [Parse] run these steps, in order, and stop at the first step
// that fails:
//
//  1. Parse the YAML into a node tree (syntax errors name the file and line).
//  2. Expand environment references in every scalar value (see below), on the
//     node tree, so that line numbers survive.
//  3. Check `version:` first: it is required, and only 1 is known. A file of
//     another version is refused with "unsupported config version 2, want 1"
//     before any other key is looked at.
//  4. Decode strictly: an unknown key, a duplicate key or a value of the wrong
//     type is an error naming the file, the YAML line and the YAML path.
//  5. Apply defaults (see [Config]); a zero value means "use the default".
//  6. [Config.Validate], which collects every problem at once (errors.Join),
//     each prefixed with file:line and YAML path.
//
// Every problem is an [*Error] and reads like
//
//	config.yaml:12: users[0].buckets[1].access: unknown access "rw", want read, write or readwrite
//
// Decoding (step 4) also reports every problem it finds, not only the first.
//
// Backend `options:` mappings are kept as a [yaml.Node] and decoded later,
// just as strictly and with the same line numbers, by [Backend.DecodeOptions]
// into the struct the backend registry's NewOptions returns. The registry is
// consulted by the caller (cmd), not by this package.
//
// # Environment references
//
// Any scalar value (never a key) may contain references, anywhere in it:
//
//	${NAME}          the value of NAME; an error if NAME is not set
//	${NAME:-default} the value of NAME, or default if NAME is unset or empty
//	$${              a literal "${"
//
// A "$" not followed by "{" is literal, so secrets containing "$" need no
// escaping. NAME matches [A-Za-z_][A-Za-z0-9_]*; the default runs to the
// first "}" and is not itself expanded. Inside a flow collection ({...} or
// [...]) a reference must be quoted, since YAML reads braces there as flow
// indicators: {root: "${DATA}"}. A plain (unquoted) scalar that is expanded
// takes the type its new text resolves to, so `max_part_number: ${N}`
// decodes as an integer; a quoted one stays a string. An expanded value is
// only ever text: YAML syntax in a variable does not add keys or items.
//
// Values that came from the environment are never printed in messages: a
// message shows the text as written in the file ("${NAME}") instead. Secret
// fields (secret_key, upload_id_secret) are never printed at all.
//
// # Line numbers
//
// The decoder's own strictness is used, not a reimplementation of it: the
// expanded node tree is copied, normalised to block style (one key per
// line), encoded and decoded with yaml.Decoder.KnownFields(true); the
// decoder's "line N" messages are then mapped back to the original nodes by
// walking the original and the re-parsed trees in step. (Node.Decode and a
// custom UnmarshalYAML calling it would silently drop KnownFields: go-yaml
// issue #460.) The custom scalar types ([Duration], [Size], [Access]) report
// their errors in the same form, so they are mapped back too.
//
// For validation, a [Config] returned by Parse keeps a record of the line of
// every YAML path it was parsed from ("users[0].buckets[1].access" → 12). A
// problem with a field that was left out is reported at the line of its
// nearest parent that was present. A Config built in code (such as [Dev])
// has no such record and its messages carry no line numbers.
//
// # Relative paths
//
// File names in the config (server.tls.cert and key, and by convention
// backend options such as fs's root) are used as written: a relative name is
// relative to the working directory of the process, not to the config file.
package config
