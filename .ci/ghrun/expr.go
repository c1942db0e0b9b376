package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file is the GitHub Actions expression language, the part that
// workflows use: literals (null, booleans, numbers, 'strings'), context
// properties (a.b, a['b']), the operators ! < <= > >= == != && || and
// parentheses, and the functions below. Values are nil, bool, float64,
// string, map[string]any and []any. Comparison and truthiness follow
// GitHub's documented rules: strings compare case-insensitively, unlike
// types compare as numbers, && and || return an operand.
// https://docs.github.com/en/actions/reference/workflows-and-actions/expressions

// exprNode is a parsed expression.
type exprNode interface{}

type (
	literal  struct{ v any }
	variable struct{ name string } // a context name: github, inputs, steps…
	property struct {
		obj exprNode
		key exprNode
	}
	call struct {
		name string
		args []exprNode
	}
	unary  struct{ x exprNode } // only !
	binary struct {
		op   string
		l, r exprNode
	}
)

// evalContext is what an expression can see.
type evalContext struct {
	vars map[string]any // contexts by name
	// status is the job's status so far (success, failure, cancelled) for
	// success(), failure() and cancelled().
	status string
}

// statusFuncs are the functions whose presence stops GitHub from adding an
// implicit success() to an if: condition.
var statusFuncs = []string{"success", "failure", "always", "cancelled"}

// parseExpr parses one expression (without ${{ }}).
func parseExpr(src string) (exprNode, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	return n, nil
}

type token struct {
	kind string // num, str, ident, op
	text string
	num  float64
}

func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, errors.New("unterminated string")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, token{kind: "str", text: b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.' || (s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			n, err := parseNumber(s[i:j])
			if err != nil {
				return nil, fmt.Errorf("bad number %q", s[i:j])
			}
			toks = append(toks, token{kind: "num", text: s[i:j], num: n})
			i = j
		case isIdentByte(c) && c != '-':
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, token{kind: "ident", text: s[i:j]})
			i = j
		default:
			op := ""
			for _, o := range []string{"==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "*"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected character %q", c)
			}
			toks = append(toks, token{kind: "op", text: op})
			i += len(op)
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func parseNumber(s string) (float64, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "-0x") {
		n, err := strconv.ParseInt(s, 0, 64)
		return float64(n), err
	}
	return strconv.ParseFloat(s, 64)
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek(op string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == "op" && p.toks[p.pos].text == op
}

func (p *parser) expect(op string) error {
	if !p.peek(op) {
		if p.pos < len(p.toks) {
			return fmt.Errorf("expected %q, found %q", op, p.toks[p.pos].text)
		}
		return fmt.Errorf("expected %q at the end", op)
	}
	p.pos++
	return nil
}

// binaryLevel parses next (op next)* for the operators ops.
func (p *parser) binaryLevel(next func() (exprNode, error), ops ...string) (exprNode, error) {
	l, err := next()
	if err != nil {
		return nil, err
	}
	for {
		i := slices.IndexFunc(ops, p.peek)
		if i < 0 {
			return l, nil
		}
		p.pos++
		r, err := next()
		if err != nil {
			return nil, err
		}
		l = binary{op: ops[i], l: l, r: r}
	}
}

func (p *parser) or() (exprNode, error)  { return p.binaryLevel(p.and, "||") }
func (p *parser) and() (exprNode, error) { return p.binaryLevel(p.eq, "&&") }
func (p *parser) eq() (exprNode, error)  { return p.binaryLevel(p.cmp, "==", "!=") }
func (p *parser) cmp() (exprNode, error) {
	return p.binaryLevel(p.not, "<=", ">=", "<", ">")
}

func (p *parser) not() (exprNode, error) {
	if p.peek("!") {
		p.pos++
		x, err := p.not()
		return unary{x: x}, err
	}
	return p.postfix()
}

func (p *parser) postfix() (exprNode, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.peek("."):
			p.pos++
			if p.pos >= len(p.toks) || p.toks[p.pos].kind != "ident" {
				return nil, errors.New("expected a property name after '.'")
			}
			n = property{obj: n, key: literal{p.toks[p.pos].text}}
			p.pos++
		case p.peek("["):
			p.pos++
			k, err := p.or()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = property{obj: n, key: k}
		default:
			return n, nil
		}
	}
}

func (p *parser) primary() (exprNode, error) {
	if p.pos >= len(p.toks) {
		return nil, errors.New("unexpected end")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case "num":
		return literal{t.num}, nil
	case "str":
		return literal{t.text}, nil
	case "ident":
		switch t.text {
		case "true":
			return literal{true}, nil
		case "false":
			return literal{false}, nil
		case "null":
			return literal{nil}, nil
		}
		if !p.peek("(") {
			return variable{name: t.text}, nil
		}
		p.pos++
		c := call{name: strings.ToLower(t.text)}
		for !p.peek(")") {
			if len(c.args) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
		}
		p.pos++
		return c, nil
	case "op":
		if t.text == "(" {
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			return n, p.expect(")")
		}
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

// usesStatusFunc reports whether n calls success(), failure(), always() or
// cancelled() anywhere.
func usesStatusFunc(n exprNode) bool {
	switch n := n.(type) {
	case call:
		if slices.Contains(statusFuncs, n.name) {
			return true
		}
		return slices.ContainsFunc(n.args, usesStatusFunc)
	case unary:
		return usesStatusFunc(n.x)
	case binary:
		return usesStatusFunc(n.l) || usesStatusFunc(n.r)
	case property:
		return usesStatusFunc(n.obj) || usesStatusFunc(n.key)
	}
	return false
}

func (c *evalContext) eval(n exprNode) (any, error) {
	switch n := n.(type) {
	case literal:
		return n.v, nil
	case variable:
		v, ok := c.vars[strings.ToLower(n.name)]
		if !ok {
			return nil, fmt.Errorf("unknown context %q", n.name)
		}
		return v, nil
	case property:
		obj, err := c.eval(n.obj)
		if err != nil {
			return nil, err
		}
		k, err := c.eval(n.key)
		if err != nil {
			return nil, err
		}
		return index(obj, k), nil
	case unary:
		x, err := c.eval(n.x)
		return !truthy(x), err
	case binary:
		return c.evalBinary(n)
	case call:
		return c.evalCall(n)
	}
	return nil, fmt.Errorf("cannot evaluate %T", n)
}

func (c *evalContext) evalBinary(n binary) (any, error) {
	l, err := c.eval(n.l)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "&&":
		if !truthy(l) {
			return l, nil
		}
		return c.eval(n.r)
	case "||":
		if truthy(l) {
			return l, nil
		}
		return c.eval(n.r)
	}
	r, err := c.eval(n.r)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "==":
		return looseEqual(l, r), nil
	case "!=":
		return !looseEqual(l, r), nil
	}
	return compare(n.op, l, r), nil
}

// index is obj[key]: a map's property, case-insensitively as GitHub's
// contexts are, or an array's element; null for anything missing.
func index(obj, key any) any {
	switch o := obj.(type) {
	case map[string]any:
		k, ok := key.(string)
		if !ok {
			return nil
		}
		if v, ok := o[k]; ok {
			return v
		}
		for name, v := range o {
			if strings.EqualFold(name, k) {
				return v
			}
		}
	case []any:
		if f, ok := key.(float64); ok && f >= 0 && int(f) < len(o) && f == math.Trunc(f) {
			return o[int(f)]
		}
	}
	return nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	}
	return true
}

func toNumber(v any) float64 {
	switch v := v.(type) {
	case nil:
		return 0
	case bool:
		if v {
			return 1
		}
		return 0
	case float64:
		return v
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return 0
		}
		if n, err := parseNumber(s); err == nil {
			return n
		}
	}
	return math.NaN()
}

func looseEqual(l, r any) bool {
	ls, lok := l.(string)
	rs, rok := r.(string)
	if lok && rok {
		return strings.EqualFold(ls, rs)
	}
	switch l.(type) {
	case map[string]any, []any:
		return false // objects are equal only to themselves; we never need that
	}
	if l == nil && r == nil {
		return true
	}
	if lb, ok := l.(bool); ok {
		if rb, ok := r.(bool); ok {
			return lb == rb
		}
	}
	return toNumber(l) == toNumber(r)
}

func compare(op string, l, r any) bool {
	ls, lok := l.(string)
	rs, rok := r.(string)
	var c int
	if lok && rok {
		c = strings.Compare(strings.ToLower(ls), strings.ToLower(rs))
	} else {
		a, b := toNumber(l), toNumber(r)
		if math.IsNaN(a) || math.IsNaN(b) {
			return false
		}
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		}
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// toString renders a value as ${{ }} does in a string.
func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (c *evalContext) evalCall(n call) (any, error) {
	args := make([]any, len(n.args))
	for i, a := range n.args {
		v, err := c.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	want := map[string][2]int{
		"success": {0, 0}, "failure": {0, 0}, "always": {0, 0}, "cancelled": {0, 0},
		"contains": {2, 2}, "startswith": {2, 2}, "endswith": {2, 2},
		"format": {1, 99}, "join": {1, 2}, "tojson": {1, 1}, "fromjson": {1, 1},
	}
	nargs, ok := want[n.name]
	if !ok {
		return nil, fmt.Errorf("ghrun does not implement the function %s()", n.name)
	}
	if len(args) < nargs[0] || len(args) > nargs[1] {
		return nil, fmt.Errorf("%s() takes %d to %d arguments, not %d", n.name, nargs[0], nargs[1], len(args))
	}
	switch n.name {
	case "success":
		return c.status == "success", nil
	case "failure":
		return c.status == "failure", nil
	case "always":
		return true, nil
	case "cancelled":
		return c.status == "cancelled", nil
	case "contains":
		if a, ok := args[0].([]any); ok {
			return slices.ContainsFunc(a, func(x any) bool { return looseEqual(x, args[1]) }), nil
		}
		return strings.Contains(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "startswith":
		return strings.HasPrefix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "endswith":
		return strings.HasSuffix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "format":
		return format(toString(args[0]), args[1:])
	case "join":
		sep := ","
		if len(args) == 2 {
			sep = toString(args[1])
		}
		a, ok := args[0].([]any)
		if !ok {
			return toString(args[0]), nil
		}
		s := make([]string, len(a))
		for i, x := range a {
			s[i] = toString(x)
		}
		return strings.Join(s, sep), nil
	case "tojson":
		b, err := json.MarshalIndent(args[0], "", "  ")
		return string(b), err
	}
	var v any // fromjson
	if err := json.Unmarshal([]byte(toString(args[0])), &v); err != nil {
		return nil, fmt.Errorf("fromJSON: %w", err)
	}
	return v, nil
}

func format(f string, args []any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		switch {
		case strings.HasPrefix(f[i:], "{{"), strings.HasPrefix(f[i:], "}}"):
			b.WriteByte(f[i])
			i++
		case f[i] == '{':
			j := strings.IndexByte(f[i:], '}')
			if j < 0 {
				return "", fmt.Errorf("format: unclosed { in %q", f)
			}
			k, err := strconv.Atoi(f[i+1 : i+j])
			if err != nil || k < 0 || k >= len(args) {
				return "", fmt.Errorf("format: bad placeholder %q in %q", f[i:i+j+1], f)
			}
			b.WriteString(toString(args[k]))
			i += j
		default:
			b.WriteByte(f[i])
		}
	}
	return b.String(), nil
}

// interpolate replaces each ${{ expr }} in s with its value.
func (c *evalContext) interpolate(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		j := exprEnd(s[i+3:])
		if j < 0 {
			return "", fmt.Errorf("unclosed ${{ in %q", s)
		}
		n, err := parseExpr(s[i+3 : i+3+j])
		if err != nil {
			return "", err
		}
		v, err := c.eval(n)
		if err != nil {
			return "", fmt.Errorf("%s: %w", strings.TrimSpace(s[i+3:i+3+j]), err)
		}
		b.WriteString(toString(v))
		s = s[i+3+j+2:]
	}
}

// exprEnd is the index of the }} that closes an expression, skipping
// string literals; -1 if none.
func exprEnd(s string) int {
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			in = !in
		case !in && strings.HasPrefix(s[i:], "}}"):
			return i
		}
	}
	return -1
}

// condition evaluates an if: value as GitHub does: the ${{ }} is optional,
// and without a status function the condition is success() && (cond).
func (c *evalContext) condition(cond string) (bool, error) {
	s := strings.TrimSpace(cond)
	if s == "" {
		s = "success()"
	}
	if strings.HasPrefix(s, "${{") && strings.HasSuffix(s, "}}") && exprEnd(s[3:]) == len(s)-5 {
		s = s[3 : len(s)-2]
	} else if strings.Contains(s, "${{") {
		// GitHub would evaluate this as a string, which is always true.
		return false, fmt.Errorf("if: %q mixes text and ${{ }}: it would always be true", cond)
	}
	n, err := parseExpr(s)
	if err != nil {
		return false, err
	}
	if !usesStatusFunc(n) {
		n = binary{op: "&&", l: call{name: "success"}, r: n}
	}
	v, err := c.eval(n)
	return truthy(v), err
}
