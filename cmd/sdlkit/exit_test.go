package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestReport(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		wantCode int
		wantErr  string
	}{
		{"ok", context.Background(), nil, 0, ""},
		{"check failed", context.Background(), checkFailed(errors.New("signature invalid"), "check the key"), 1,
			"sdlkit: error: signature invalid\nsdlkit: hint: check the key\n"},
		{"input error", context.Background(), inputError(errors.New("read x.json: no such file")), 2,
			"sdlkit: error: read x.json: no such file\n"},
		{"unclassified is an input error", context.Background(), errors.New("boom"), 2, "sdlkit: error: boom\n"},
		{"multi-line folded to one", context.Background(), errors.New("first\n  second\n"), 2, "sdlkit: error: first; second\n"},
		{"interrupted", canceled, fmt.Errorf("hash fw.bin: %w", context.Canceled), 130, "sdlkit: error: hash fw.bin: context canceled\n"},
		{"canceled without a signal is no interrupt", context.Background(), context.Canceled, 2, "sdlkit: error: context canceled\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			a := &app{stdio: stdio{err: &stderr}}
			if code := a.report(tt.ctx, tt.err); code != tt.wantCode {
				t.Errorf("code = %d, want %d", code, tt.wantCode)
			}
			if stderr.String() != tt.wantErr {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
