package dialects

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// TestSettingsDefaults pins the defaults and that set values are kept.
func TestSettingsDefaults(t *testing.T) {
	s := Settings{}.WithDefaults("cn-hangzhou")
	if s.MaxSkew != 15*time.Minute || s.Now == nil || s.Region != "cn-hangzhou" {
		t.Errorf("defaults: %+v", s)
	}
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s = Settings{MaxSkew: time.Minute, Region: "eu", Now: func() time.Time { return fixed }}.WithDefaults("us-east-1")
	if s.MaxSkew != time.Minute || s.Region != "eu" || !s.Now().Equal(fixed) {
		t.Errorf("set values replaced: %+v", s)
	}
}

// TestSettingsCallers pins the secret and caller lookups and the
// anonymous answer: an unknown key (or no credentials) is
// InvalidAccessKeyID, a known one is its principal under the Rules.
func TestSettingsCallers(t *testing.T) {
	p := &translate.Principal{AccessKey: "AK"}
	s := &Settings{Credentials: StaticCredentials{"AK": {Secret: "SK", Principal: p}}, Rules: translate.OSSRules}
	if secret, ok := s.Secret("AK"); !ok || secret != "SK" {
		t.Errorf("Secret(AK) = %q, %v", secret, ok)
	}
	if _, ok := s.Secret("NOPE"); ok {
		t.Error("Secret of an unknown key")
	}
	c, err := s.Caller("AK")
	if err != nil || c.Principal != p || c.Rules != &s.Rules {
		t.Errorf("Caller(AK) = %+v, %v", c, err)
	}
	if _, err := s.Caller("NOPE"); translate.CodeOf(err) != translate.ErrInvalidAccessKeyID {
		t.Errorf("Caller(NOPE): %v", err)
	}
	none := &Settings{}
	if _, ok := none.Secret("AK"); ok {
		t.Error("Secret without credentials")
	}
	if _, err := none.Caller("AK"); translate.CodeOf(err) != translate.ErrInvalidAccessKeyID {
		t.Errorf("Caller without credentials: %v", err)
	}
	c, err = s.Anonymous("Anonymous access is not allowed.")
	if c.Principal != nil || c.Rules != &s.Rules || translate.CodeOf(err) != translate.ErrAccessDenied ||
		translate.AsError(err).Message != "Anonymous access is not allowed." || !errors.Is(err, ErrAnonymous) {
		t.Errorf("Anonymous = %+v, %v", c, err)
	}
}

func TestIsHexSHA256(t *testing.T) {
	for s, want := range map[string]bool{
		strings.Repeat("a1", 32):      true,
		strings.Repeat("A1", 32):      false, // lowercase only
		strings.Repeat("a1", 31):      false,
		"UNSIGNED-PAYLOAD":            false,
		strings.Repeat("g", 64):       false,
		strings.Repeat("0", 63) + "f": true,
	} {
		if got := IsHexSHA256(s); got != want {
			t.Errorf("IsHexSHA256(%q) = %v", s, got)
		}
	}
}
