package jsonschema

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kaptinlin/jsonschema"
)

// summary holds the error codes that only say that a subschema failed; the
// failing subschema's result says how.
var summary = map[string]bool{
	"property_mismatch":               true,
	"properties_mismatch":             true,
	"pattern_property_mismatch":       true,
	"pattern_properties_mismatch":     true,
	"additional_property_mismatch":    true,
	"additional_properties_mismatch":  true,
	"item_mismatch":                   true,
	"items_mismatch":                  true,
	"prefix_item_mismatch":            true,
	"prefix_items_mismatch":           true,
	"ref_mismatch":                    true,
	"dynamic_ref_mismatch":            true,
	"all_of_item_mismatch":            true,
	"any_of_item_mismatch":            true,
	"one_of_item_mismatch":            true,
	"if_then_mismatch":                true,
	"if_else_mismatch":                true,
	"dependent_schema_mismatch":       true,
	"dependent_schemas_mismatch":      true,
	"property_name_mismatch":          true,
	"property_names_mismatch":         true,
	"unevaluated_item_mismatch":       true,
	"unevaluated_items_mismatch":      true,
	"unevaluated_property_mismatch":   true,
	"unevaluated_properties_mismatch": true,
	"content_schema_mismatch":         true,
}

// message renders a leaf error about value in the short form sdlkit has
// always printed ("minItems: got 0, want 1", "missing property 'name'"),
// and in the library's own words for the rarer keywords.
func message(e *jsonschema.EvaluationError, value any) string {
	p := e.Params
	switch e.Code {
	case "missing_required_property":
		return fmt.Sprintf("missing property %v", p["property"])
	case "missing_required_properties":
		return fmt.Sprintf("missing properties %v", p["properties"])
	case "type_mismatch":
		return fmt.Sprintf("got %v, want %v", p["received"], strings.ReplaceAll(fmt.Sprint(p["expected"]), ", ", " or "))
	case "value_not_in_enum":
		return mustBe(p["allowed"])
	case "const_mismatch", "const_mismatch_null":
		switch p["expected"].(type) {
		case []any, map[string]any:
			return "value does not match 'const'"
		}
		return mustBe([]any{p["expected"]})
	case "items_too_short":
		return fmt.Sprintf("minItems: got %v, want %v", p["count"], p["min_items"])
	case "items_too_long":
		return fmt.Sprintf("maxItems: got %v, want %v", p["count"], p["max_items"])
	case "string_too_short":
		return fmt.Sprintf("minLength: got %v, want %v", p["length"], p["min_length"])
	case "string_too_long":
		return fmt.Sprintf("maxLength: got %v, want %v", p["length"], p["max_length"])
	case "too_few_properties":
		return fmt.Sprintf("minProperties: got %d, want %v", count(value), p["min_properties"])
	case "too_many_properties":
		return fmt.Sprintf("maxProperties: got %d, want %v", count(value), p["max_properties"])
	case "value_below_minimum":
		return fmt.Sprintf("minimum: got %v, want %v", p["value"], p["minimum"])
	case "value_above_maximum":
		return fmt.Sprintf("maximum: got %v, want %v", p["value"], p["maximum"])
	case "exclusive_minimum_mismatch":
		return fmt.Sprintf("exclusiveMinimum: got %v, want %v", p["value"], p["exclusive_minimum"])
	case "exclusive_maximum_mismatch":
		return fmt.Sprintf("exclusiveMaximum: got %v, want %v", p["value"], p["exclusive_maximum"])
	case "not_multiple_of":
		return fmt.Sprintf("multipleOf: got %v, want %v", p["value"], p["divisor"])
	case "pattern_mismatch":
		return fmt.Sprintf("%s does not match pattern %s", display(value), quote(fmt.Sprint(p["pattern"])))
	case "format_mismatch":
		return fmt.Sprintf("%s is not valid %v", display(value), p["format"])
	case "unique_items_mismatch":
		return fmt.Sprintf("items at %v and %v are equal", p["index1"], p["index2"])
	case "one_of_multiple_matches":
		return fmt.Sprintf("'oneOf' failed, subschemas %v matched", p["matches"])
	case "not_schema_mismatch":
		return "'not' failed"
	case "false_schema_mismatch":
		return "not allowed"
	}
	return sentence(e.Error())
}

// mustBe says which values are allowed; long lists of objects are not
// worth printing.
func mustBe(allowed any) string {
	list, _ := allowed.([]any)
	var want []string
	for _, v := range list {
		switch v.(type) {
		case []any, map[string]any:
			return "value is not one of the allowed values"
		}
		want = append(want, display(v))
	}
	if len(want) == 1 {
		return "value must be " + want[0]
	}
	return "value must be one of " + strings.Join(want, ", ")
}

// display renders a JSON value: strings in single quotes, others as JSON.
func display(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// quote quotes s in single quotes, escaping as Go does.
func quote(s string) string {
	q := fmt.Sprintf("%q", s)
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + strings.ReplaceAll(q, "'", `\'`) + "'"
}

// count is the number of members of an object or items of an array.
func count(v any) int {
	switch v := v.(type) {
	case map[string]any:
		return len(v)
	case []any:
		return len(v)
	}
	return 0
}

// sentence lowercases the first letter of a library message.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
