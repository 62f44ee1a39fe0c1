package obs

import "github.com/babelgate/babelgate/translate"

// Spellings are OBS's storage classes and server-side encryption values
// over the neutral (S3) ones. S3-only classes are written as the nearest
// OBS class.
var Spellings = &translate.Wire{Name: Name,
	StorageClasses: []translate.Spelling{
		{Neutral: "STANDARD", Wire: "STANDARD"},
		{Neutral: "STANDARD_IA", Wire: "WARM"},
		{Neutral: "GLACIER", Wire: "COLD"},
		{Neutral: "DEEP_ARCHIVE", Wire: "DEEP_ARCHIVE"},
		{Neutral: "REDUCED_REDUNDANCY", Wire: "STANDARD"},
		{Neutral: "INTELLIGENT_TIERING", Wire: "STANDARD"},
		{Neutral: "ONEZONE_IA", Wire: "WARM"},
		{Neutral: "GLACIER_IR", Wire: "WARM"},
		{Neutral: "OUTPOSTS", Wire: "STANDARD"},
		{Neutral: "SNOW", Wire: "STANDARD"},
		{Neutral: "EXPRESS_ONEZONE", Wire: "STANDARD"},
	},
	SSE: []translate.Spelling{
		{Neutral: "AES256", Wire: "AES256"},
		{Neutral: "aws:kms", Wire: "kms"},
		{Neutral: "aws:kms:dsse", Wire: "kms"},
	},
}
