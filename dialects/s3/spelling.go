package s3

import "github.com/babelgate/babelgate/translate"

// Spellings are S3's storage classes and server-side encryption values:
// the neutral ones themselves (dialects/spelling_test.go checks them
// against the other dialects').
var Spellings = &translate.Wire{Name: Name,
	StorageClasses: []translate.Spelling{
		{Neutral: "STANDARD", Wire: "STANDARD"},
		{Neutral: "STANDARD_IA", Wire: "STANDARD_IA"},
		{Neutral: "GLACIER", Wire: "GLACIER"},
		{Neutral: "DEEP_ARCHIVE", Wire: "DEEP_ARCHIVE"},
		{Neutral: "REDUCED_REDUNDANCY", Wire: "REDUCED_REDUNDANCY"},
		{Neutral: "INTELLIGENT_TIERING", Wire: "INTELLIGENT_TIERING"},
		{Neutral: "ONEZONE_IA", Wire: "ONEZONE_IA"},
		{Neutral: "GLACIER_IR", Wire: "GLACIER_IR"},
		{Neutral: "OUTPOSTS", Wire: "OUTPOSTS"},
		{Neutral: "SNOW", Wire: "SNOW"},
		{Neutral: "EXPRESS_ONEZONE", Wire: "EXPRESS_ONEZONE"},
	},
	SSE: []translate.Spelling{
		{Neutral: "AES256", Wire: "AES256"},
		{Neutral: "aws:kms", Wire: "aws:kms"},
		{Neutral: "aws:kms:dsse", Wire: "aws:kms:dsse"},
	},
}
