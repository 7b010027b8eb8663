package render

import "bytes"

// FormatFor chooses the entity format for a request whose Accept field
// value is accept (nil when absent). It returns FormatProblem when the
// client weighs application/problem+json above text/plain (RFC 9110
// §12.5.1: the most specific matching range gives each type its q), or
// names it explicitly and weighs both equally; FormatText otherwise,
// including when neither is acceptable, since an error is better explained
// in a format the client did not ask for than not at all.
//
// It does not allocate.
func FormatFor(accept []byte) Format {
	if len(accept) == 0 {
		return FormatText
	}
	problem, problemExact := acceptWeight(accept, "application", "problem+json")
	text, _ := acceptWeight(accept, "text", "plain")
	if problem > text || (problem == text && problem > 0 && problemExact) {
		return FormatProblem
	}
	return FormatText
}

// listComma separates the elements of Accept's list; paramSemicolon a
// media range from its parameters, and them from each other.
var listComma, paramSemicolon = []byte{','}, []byte{';'}

// acceptWeight returns the weight (q × 1000) Accept gives to typ/sub, taken
// from the most specific media range that matches, and whether that range
// named the type exactly.
func acceptWeight(accept []byte, typ, sub string) (q int, exact bool) {
	best := -1 // specificity of the range q came from: 0 */*, 1 type/*, 2 exact
	for len(accept) > 0 {
		var item []byte
		item, accept, _ = bytes.Cut(accept, listComma)
		rng, params, _ := bytes.Cut(item, paramSemicolon)
		rng = bytes.TrimSpace(rng)
		slash := bytes.IndexByte(rng, '/')
		if slash < 0 {
			continue
		}
		rt, rs := rng[:slash], rng[slash+1:]
		spec := -1
		switch {
		case string(rt) == "*" && string(rs) == "*":
			spec = 0
		case bytes.EqualFold(rt, []byte(typ)) && string(rs) == "*":
			spec = 1
		case bytes.EqualFold(rt, []byte(typ)) && bytes.EqualFold(rs, []byte(sub)):
			spec = 2
		}
		if spec > best {
			best, q = spec, qValue(params)
		}
	}
	if best < 0 {
		return 0, false
	}
	return q, best == 2
}

// qValue returns the weight in the parameters of one media range, as an
// integer in thousandths; 1000 when there is no valid q.
//
//	weight = OWS ";" OWS "q=" qvalue
//	qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
func qValue(params []byte) int {
	for len(params) > 0 {
		var p []byte
		p, params, _ = bytes.Cut(params, paramSemicolon)
		p = bytes.TrimSpace(p)
		if len(p) < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
			continue
		}
		v := p[2:]
		if v[0] == '1' {
			return 1000
		}
		if v[0] != '0' {
			return 1000
		}
		q, scale := 0, 100
		if len(v) > 2 && v[1] == '.' {
			for _, c := range v[2:] {
				if c < '0' || c > '9' || scale == 0 {
					break
				}
				q += int(c-'0') * scale
				scale /= 10
			}
		}
		return q
	}
	return 1000
}
