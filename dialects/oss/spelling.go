package oss

import "github.com/babelgate/babelgate/translate"

// Spellings are OSS's storage classes and server-side encryption values
// over the neutral (S3) ones. S3-only classes are written as the nearest
// OSS class. SM4 has no equivalent in S3 or OBS: it is kept as
// "oss:SM4" and echoed to OSS clients only.
var Spellings = &translate.Wire{Name: Name,
	StorageClasses: []translate.Spelling{
		{Neutral: "STANDARD", Wire: "Standard"},
		{Neutral: "STANDARD_IA", Wire: "IA"},
		{Neutral: "GLACIER", Wire: "Archive"},
		{Neutral: "DEEP_ARCHIVE", Wire: "ColdArchive"},
		{Neutral: "DEEP_ARCHIVE", Wire: "DeepColdArchive"},
		{Neutral: "REDUCED_REDUNDANCY", Wire: "Standard"},
		{Neutral: "INTELLIGENT_TIERING", Wire: "Standard"},
		{Neutral: "ONEZONE_IA", Wire: "IA"},
		{Neutral: "GLACIER_IR", Wire: "IA"},
		{Neutral: "OUTPOSTS", Wire: "Standard"},
		{Neutral: "SNOW", Wire: "Standard"},
		{Neutral: "EXPRESS_ONEZONE", Wire: "Standard"},
	},
	SSE: []translate.Spelling{
		{Neutral: "AES256", Wire: "AES256"},
		{Neutral: "aws:kms", Wire: "KMS"},
		{Neutral: "aws:kms:dsse", Wire: "KMS"},
		{Neutral: "oss:SM4", Wire: "SM4"},
	},
}
