package textsafe

import "testing"

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"v1.2.3", "v1.2.3"},
		{"Ünïcödé and 日本語", "Ünïcödé and 日本語"},
		{"1.0.0\x1b[31m", `1.0.0\x1b[31m`},
		{"a\nb\tc\rd", `a\nb\tc\rd`},
		{"nul\x00", `nul\x00`},
		{"del\x7f c1\u0085", `del\x7f c1\u0085`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"iso\u2066late\u2069", `iso\u2066late\u2069`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
