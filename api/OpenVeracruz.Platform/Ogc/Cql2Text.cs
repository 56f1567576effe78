using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// Reads CQL2-text (OGC 21-065, the BNF of its annex) into <see cref="Cql2Expr"/>: a tokenizer that remembers where each token
/// starts and a precedence-climbing parser. Precedence, loosest first: OR, AND, NOT, the comparison predicates (= &lt;&gt; &lt;
/// &lt;= &gt; &gt;= [NOT] LIKE, [NOT] IN, [NOT] BETWEEN, IS [NOT] NULL), + and -, * / % div, ^ and a sign. Keywords and
/// function names are case-insensitive; property names are not, and a name that is a keyword is written in double quotes.
/// The nesting is counted on the way down, so no input can overflow the stack.
/// </summary>
public sealed class Cql2Text
{
    private enum T { Number, String, Name, Quoted, Punct, End }
    private readonly record struct Token(T Kind, string Text, int At, double Number = 0);

    private readonly List<Token> _tokens;
    private int _i;
    private int _depth;
    private int _nodes;

    private Cql2Text(List<Token> tokens) => _tokens = tokens;

    public static Cql2Expr Parse(string text)
    {
        if (text.Length > Cql2Limits.MaxLength)
            throw new Cql2Exception($"The filter is longer than {Cql2Limits.MaxLength} characters", $"El filtro tiene más de {Cql2Limits.MaxLength} caracteres", "0");
        var p = new Cql2Text(Tokenize(text));
        if (p.Peek.Kind == T.End) throw Error(p.Peek, "a condition", "una condición");
        var e = p.Expression(0);
        if (p.Peek.Kind != T.End) throw Error(p.Peek, "AND, OR or the end of the filter", "AND, OR o el fin del filtro");
        return e;
    }

    private static Cql2Exception Error(Token t, string expected, string expectedEs)
    {
        var found = t.Kind == T.End ? "the end of the filter" : $"'{Cut(t.Text)}'";
        var foundEs = t.Kind == T.End ? "el fin del filtro" : $"'{Cut(t.Text)}'";
        return new Cql2Exception($"Invalid filter at character {t.At}: expected {expected}, found {found}",
            $"Filtro inválido en el carácter {t.At}: se esperaba {expectedEs} y se encontró {foundEs}", t.At.ToString(CultureInfo.InvariantCulture));
    }

    private static string Cut(string s) => s.Length > 40 ? s[..40] + "…" : s;

    // ---- tokens ----

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length) { tokens.Add(new Token(T.End, "", i)); return tokens; }
            var start = i;
            var c = s[i];
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                if (i < s.Length && s[i] == '.') { i++; while (i < s.Length && char.IsAsciiDigit(s[i])) i++; }
                if (i < s.Length && s[i] is 'e' or 'E')
                {
                    var j = i + 1;
                    if (j < s.Length && s[j] is '+' or '-') j++;
                    if (j < s.Length && char.IsAsciiDigit(s[j])) { i = j; while (i < s.Length && char.IsAsciiDigit(s[i])) i++; }
                }
                var text = s[start..i];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new Cql2Exception($"Invalid filter at character {start}: the number {Cut(text)} is out of range",
                        $"Filtro inválido en el carácter {start}: el número {Cut(text)} está fuera de rango", start.ToString(CultureInfo.InvariantCulture));
                tokens.Add(new Token(T.Number, text, start, v));
            }
            else if (c is '\'' or '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length)
                        throw new Cql2Exception($"Invalid filter at character {start}: the {(c == '\'' ? "string" : "quoted name")} is never closed (expected {c})",
                            $"Filtro inválido en el carácter {start}: {(c == '\'' ? "la cadena" : "el nombre entre comillas")} no se cierra (se esperaba {c})", start.ToString(CultureInfo.InvariantCulture));
                    if (s[i] == c)
                    {
                        if (i + 1 < s.Length && s[i + 1] == c) { sb.Append(c); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                tokens.Add(new Token(c == '\'' ? T.String : T.Quoted, sb.ToString(), start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '.' or ':')) i++;
                tokens.Add(new Token(T.Name, s[start..i], start));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "<>" or "<=" or ">=" or "..") { tokens.Add(new Token(T.Punct, two, start)); i += 2; }
                else if ("()=<>+-*/%^,[]".Contains(c)) { tokens.Add(new Token(T.Punct, c.ToString(), start)); i++; }
                else
                    throw new Cql2Exception($"Invalid filter at character {start}: unexpected character '{c}'",
                        $"Filtro inválido en el carácter {start}: carácter inesperado '{c}'", start.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private Token Peek => _tokens[_i];
    private Token PeekAt(int k) => _tokens[Math.Min(_i + k, _tokens.Count - 1)];
    private Token Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];
    private bool IsWord(Token t, string word) => t.Kind == T.Name && t.Text.Equals(word, StringComparison.OrdinalIgnoreCase);
    private bool IsPunct(Token t, string p) => t.Kind == T.Punct && t.Text == p;

    private void Expect(string punct, string expectedEs)
    {
        if (!IsPunct(Peek, punct)) throw Error(Peek, $"'{punct}'", expectedEs);
        Next();
    }

    private T2 Node<T2>(T2 node) where T2 : Cql2Expr
    {
        if (++_nodes > Cql2Limits.MaxNodes)
            throw new Cql2Exception($"The filter has more than {Cql2Limits.MaxNodes} terms", $"El filtro tiene más de {Cql2Limits.MaxNodes} términos", node.At.ToString(CultureInfo.InvariantCulture));
        return node;
    }

    private void Enter(Token at)
    {
        if (++_depth > Cql2Limits.MaxDepth)
            throw new Cql2Exception($"Invalid filter at character {at.At}: nested more than {Cql2Limits.MaxDepth} levels deep",
                $"Filtro inválido en el carácter {at.At}: anidado a más de {Cql2Limits.MaxDepth} niveles", at.At.ToString(CultureInfo.InvariantCulture));
    }

    // ---- expressions ----

    private const int Or = 1, And = 2, Not = 3, Compare = 4, Add = 5, Mul = 6, Pow = 7;

    private static readonly HashSet<string> Comparisons = ["=", "<>", "<", "<=", ">", ">="];

    private Cql2Expr Expression(int min)
    {
        Enter(Peek);
        var left = Prefix();
        while (true)
        {
            var t = Peek;
            int prec;
            if (IsWord(t, "OR")) prec = Or;
            else if (IsWord(t, "AND")) prec = And;
            else if ((t.Kind == T.Punct && Comparisons.Contains(t.Text)) || IsWord(t, "LIKE") || IsWord(t, "IN") || IsWord(t, "BETWEEN") || IsWord(t, "IS")
                     || (IsWord(t, "NOT") && (IsWord(PeekAt(1), "LIKE") || IsWord(PeekAt(1), "IN") || IsWord(PeekAt(1), "BETWEEN")))) prec = Compare;
            else if (IsPunct(t, "+") || IsPunct(t, "-")) prec = Add;
            else if (IsPunct(t, "*") || IsPunct(t, "/") || IsPunct(t, "%") || IsWord(t, "div")) prec = Mul;
            else if (IsPunct(t, "^")) prec = Pow;
            else break;
            if (prec <= min) break;
            Next();
            left = prec switch
            {
                Or => Node(new Cql2Op("or", [left, Expression(Or)], t.At)),
                And => Node(new Cql2Op("and", [left, Expression(And)], t.At)),
                Compare => Predicate(left, t),
                Pow => Node(new Cql2Op("^", [left, Expression(Pow - 1)], t.At)), // right-associative
                _ => Node(new Cql2Op(t.Text.ToLowerInvariant(), [left, Expression(prec)], t.At)),
            };
        }
        _depth--;
        return left;
    }

    private Cql2Expr Predicate(Cql2Expr left, Token op)
    {
        if (op.Kind == T.Punct) return Node(new Cql2Op(op.Text, [left, Expression(Compare)], op.At));
        var negated = IsWord(op, "NOT");
        var word = negated ? Next() : op;
        Cql2Expr result;
        if (IsWord(word, "LIKE")) result = Node(new Cql2Op("like", [left, Expression(Compare)], word.At));
        else if (IsWord(word, "BETWEEN"))
        {
            var low = Expression(Compare);
            if (!IsWord(Peek, "AND")) throw Error(Peek, "AND (BETWEEN … AND …)", "AND (BETWEEN … AND …)");
            Next();
            result = Node(new Cql2Op("between", [left, low, Expression(Compare)], word.At));
        }
        else if (IsWord(word, "IN"))
        {
            var open = Peek;
            Expect("(", "'(' tras IN");
            var items = new List<Cql2Expr> { Expression(0) };
            while (IsPunct(Peek, ",")) { Next(); items.Add(Expression(0)); }
            Expect(")", "')' o ',' en la lista de IN");
            result = Node(new Cql2Op("in", [left, Node(new Cql2List(items, open.At))], word.At));
        }
        else // IS [NOT] NULL
        {
            var isNot = IsWord(Peek, "NOT");
            if (isNot) Next();
            if (!IsWord(Peek, "NULL")) throw Error(Peek, "NULL (IS [NOT] NULL)", "NULL (IS [NOT] NULL)");
            Next();
            result = Node(new Cql2Op("isNull", [left], word.At));
            return isNot ? Node(new Cql2Op("not", [result], word.At)) : result;
        }
        return negated ? Node(new Cql2Op("not", [result], op.At)) : result;
    }

    private Cql2Expr Prefix()
    {
        var t = Next();
        switch (t.Kind)
        {
            case T.Number: return Node(new Cql2Literal(t.Number, Cql2LiteralKind.Number, t.At));
            case T.String: return Node(new Cql2Literal(t.Text, Cql2LiteralKind.Text, t.At));
            case T.Quoted: return Node(new Cql2Property(t.Text, t.At));
            case T.Punct when t.Text == "(":
            {
                var e = Expression(0);
                Expect(")", "')'");
                return e;
            }
            case T.Punct when t.Text == "-":
                if (Peek.Kind == T.Number) { var n = Next(); return Node(new Cql2Literal(-n.Number, Cql2LiteralKind.Number, t.At)); }
                return Node(new Cql2Op("-", [Node(new Cql2Literal(0d, Cql2LiteralKind.Number, t.At)), Expression(Mul)], t.At));
            case T.Punct when t.Text == "+" && Peek.Kind == T.Number: return Node(new Cql2Literal(Next().Number, Cql2LiteralKind.Number, t.At));
            case T.Name: return Named(t);
        }
        _i--;
        throw Error(t, "a property, a value or '('", "una propiedad, un valor o '('");
    }

    private Cql2Expr Named(Token t)
    {
        var word = t.Text.ToUpperInvariant();
        switch (word)
        {
            case "NOT": return Node(new Cql2Op("not", [Expression(Not)], t.At));
            case "TRUE": return Node(new Cql2Literal(true, Cql2LiteralKind.Boolean, t.At));
            case "FALSE": return Node(new Cql2Literal(false, Cql2LiteralKind.Boolean, t.At));
            case "AND" or "OR" or "LIKE" or "IN" or "BETWEEN" or "IS" or "NULL":
                _i--;
                throw Error(t, "a property, a value or '(' (a property named like a keyword goes in double quotes)", "una propiedad, un valor o '(' (una propiedad que se llama como una palabra clave va entre comillas dobles)");
        }
        if (!IsPunct(Peek, "(")) return Node(new Cql2Property(t.Text, t.At));
        switch (word)
        {
            case "DATE" or "TIMESTAMP": return Instant(t, word == "DATE");
            case "INTERVAL":
            {
                Enter(t);
                Next();
                var start = IntervalEnd();
                Expect(",", "','");
                var end = IntervalEnd();
                Expect(")", "')'");
                _depth--;
                return Node(new Cql2Interval(start, end, t.At));
            }
            case "POINT" or "LINESTRING" or "POLYGON" or "MULTIPOINT" or "MULTILINESTRING" or "MULTIPOLYGON" or "GEOMETRYCOLLECTION" or "BBOX":
                _i--;
                return Node(new Cql2Geometry(Geometry(), t.At));
        }
        var name = t.Text.ToLowerInvariant();
        if (!Cql2Limits.Functions.TryGetValue(name, out var arity))
            throw new Cql2Exception($"Invalid filter at character {t.At}: unknown function {t.Text}; the functions are {string.Join(", ", Cql2Limits.Functions.Keys.Select(k => k.ToUpperInvariant()))}",
                $"Filtro inválido en el carácter {t.At}: función desconocida {t.Text}; las funciones son {string.Join(", ", Cql2Limits.Functions.Keys.Select(k => k.ToUpperInvariant()))}", t.At.ToString(CultureInfo.InvariantCulture));
        Enter(t);
        Next();
        var args = new List<Cql2Expr>();
        if (!IsPunct(Peek, ")"))
        {
            args.Add(Expression(0));
            while (IsPunct(Peek, ",")) { Next(); args.Add(Expression(0)); }
        }
        Expect(")", "')' o ','");
        _depth--;
        if (args.Count < arity.Min || args.Count > arity.Max)
            throw new Cql2Exception($"Invalid filter at character {t.At}: {t.Text.ToUpperInvariant()} takes {arity.Min} arguments, not {args.Count}",
                $"Filtro inválido en el carácter {t.At}: {t.Text.ToUpperInvariant()} recibe {arity.Min} argumentos, no {args.Count}", t.At.ToString(CultureInfo.InvariantCulture));
        return Node(new Cql2Op(name, args, t.At));
    }

    private Cql2Expr IntervalEnd()
    {
        var t = Peek;
        if (t.Kind == T.String && t.Text == "..") { Next(); return Node(new Cql2Literal(null, Cql2LiteralKind.Unbounded, t.At)); }
        if (t.Kind == T.String) { Next(); return Node(Cql2Instants.Parse(t.Text, null, Cql2Where.Char(t.At), t.At)); }
        if (IsWord(t, "DATE") || IsWord(t, "TIMESTAMP")) { Next(); return Instant(t, IsWord(t, "DATE")); }
        if (t.Kind is T.Name or T.Quoted) { Next(); return Node(new Cql2Property(t.Text, t.At)); }
        throw Error(t, "a date, a timestamp, '..' or a property", "una fecha, un instante, '..' o una propiedad");
    }

    private Cql2Literal Instant(Token t, bool date)
    {
        Next();
        var s = Peek;
        if (s.Kind != T.String) throw Error(s, "a quoted date or timestamp", "una fecha o un instante entre comillas");
        Next();
        Expect(")", "')'");
        return Node(Cql2Instants.Parse(s.Text, date, Cql2Where.Char(s.At), t.At));
    }

    // ---- WKT ----

    private Geometry Geometry()
    {
        var t = Next();
        Enter(t);
        var word = t.Text.ToUpperInvariant();
        if (IsWord(Peek, "Z")) Next();
        Geometry g;
        var f = Cql2Geometries.Factory;
        Expect("(", "'('");
        switch (word)
        {
            case "BBOX":
            {
                var n = new List<double> { Signed() };
                while (IsPunct(Peek, ",")) { Next(); n.Add(Signed()); }
                g = Cql2Geometries.BBox(n, Cql2Where.Char(t.At));
                break;
            }
            case "POINT": g = f.CreatePoint(Coordinate()); break;
            case "LINESTRING": g = Cql2Geometries.Line(Coordinates(), Cql2Where.Char(t.At)); break;
            case "POLYGON": g = Polygon(t); break;
            case "MULTIPOINT":
            {
                var points = new List<Point>();
                do
                {
                    if (IsPunct(Peek, "(")) { Next(); points.Add(f.CreatePoint(Coordinate())); Expect(")", "')'"); }
                    else points.Add(f.CreatePoint(Coordinate()));
                } while (TryComma());
                g = f.CreateMultiPoint([.. points]);
                break;
            }
            case "MULTILINESTRING":
            {
                var lines = new List<LineString>();
                do { Expect("(", "'('"); lines.Add(Cql2Geometries.Line(Coordinates(), Cql2Where.Char(t.At))); Expect(")", "')'"); } while (TryComma());
                g = f.CreateMultiLineString([.. lines]);
                break;
            }
            case "MULTIPOLYGON":
            {
                var polygons = new List<Polygon>();
                do { Expect("(", "'('"); polygons.Add(Polygon(t)); Expect(")", "')'"); } while (TryComma());
                g = f.CreateMultiPolygon([.. polygons]);
                break;
            }
            default:
            {
                var parts = new List<Geometry>();
                do
                {
                    if (Peek.Kind != T.Name) throw Error(Peek, "a geometry (POINT, LINESTRING, POLYGON, …)", "una geometría (POINT, LINESTRING, POLYGON, …)");
                    parts.Add(Geometry());
                } while (TryComma());
                g = f.CreateGeometryCollection([.. parts]);
                break;
            }
        }
        Expect(")", "')'");
        _depth--;
        return g;
    }

    private bool TryComma()
    {
        if (!IsPunct(Peek, ",")) return false;
        Next();
        return true;
    }

    private Polygon Polygon(Token at)
    {
        var rings = new List<Coordinate[]>();
        do { Expect("(", "'('"); rings.Add(Coordinates()); Expect(")", "')'"); } while (TryComma());
        return Cql2Geometries.Polygon(rings, Cql2Where.Char(at.At));
    }

    private Coordinate[] Coordinates()
    {
        var list = new List<Coordinate> { Coordinate() };
        while (TryComma()) list.Add(Coordinate());
        return [.. list];
    }

    private Coordinate Coordinate()
    {
        var x = Signed();
        var y = Signed();
        if (Peek.Kind == T.Number || IsPunct(Peek, "-")) Signed(); // a Z is read and left aside
        _nodes++;
        return new Coordinate(x, y);
    }

    private double Signed()
    {
        var negative = IsPunct(Peek, "-");
        if (negative || IsPunct(Peek, "+")) Next();
        if (Peek.Kind != T.Number) throw Error(Peek, "a coordinate (a number)", "una coordenada (un número)");
        var v = Next().Number;
        return negative ? -v : v;
    }
}
