// Package translate is the hub of babelgate: the neutral model that every
// dialect decodes into and every backend carries out.
//
// It holds
//   - the operations and their request and result types, whose bodies are
//     streams with a declared size (never byte slices);
//   - the error vocabulary ([Code], [Error]) that dialects map to wire codes;
//   - the rules that differ between dialects and stores, as data ([Rules]);
//   - the [Backend] interface that storage providers implement;
//   - the [Engine], which validates requests against the front dialect's
//     rules, seals and opens upload tokens, verifies checksums on the way
//     through and computes ETags, then calls the backend.
//
// translate imports nothing outside the standard library.
package translate
