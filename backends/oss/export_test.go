package oss

// NewDriver exposes newDriver to the package's external tests, which wrap
// the real driver (storekittest.Counting).
var NewDriver = newDriver
