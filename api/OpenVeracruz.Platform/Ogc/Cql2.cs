using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// The syntax tree of a CQL2 filter (OGC 21-065), shared by the text and the JSON encodings. Operators keep the names
/// CQL2-JSON gives them ("and", "=", "like", "s_intersects", "t_during", "casei", …); <see cref="At"/> is where the node
/// starts: a character offset in CQL2-text, the position of the node's JSON path in CQL2-JSON (-1).
/// </summary>
public abstract record Cql2Expr(int At);

public sealed record Cql2Property(string Name, int At) : Cql2Expr(At);

public enum Cql2LiteralKind { Text, Number, Boolean, Date, Timestamp, Unbounded }

/// <summary>A string, number, boolean, DATE('…'), TIMESTAMP('…'), or ".." (an open end of an interval).</summary>
public sealed record Cql2Literal(object? Value, Cql2LiteralKind Kind, int At) : Cql2Expr(At);

/// <summary>A geometry literal (WKT, GeoJSON or BBOX) with the coordinates as written, in the filter's CRS.</summary>
public sealed record Cql2Geometry(Geometry Value, int At) : Cql2Expr(At);

public sealed record Cql2Interval(Cql2Expr Start, Cql2Expr End, int At) : Cql2Expr(At);

public sealed record Cql2List(IReadOnlyList<Cql2Expr> Items, int At) : Cql2Expr(At);

public sealed record Cql2Op(string Op, IReadOnlyList<Cql2Expr> Args, int At) : Cql2Expr(At);

/// <summary>A filter that cannot be read or used; <see cref="At"/> is the character offset (text) or the JSON path (json).</summary>
public sealed class Cql2Exception(string message, string messageEs, string at) : Exception(message)
{
    public string MessageEs { get; } = messageEs;
    public string At { get; } = at;
}

/// <summary>Where in a filter: "character 12" in CQL2-text, a JSON path in CQL2-JSON (At: what the exception carries).</summary>
public readonly record struct Cql2Where(string En, string Es, string At)
{
    public static Cql2Where Char(int i) => new($"character {i}", $"el carácter {i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public static Cql2Where Path(string path) => new(path, path, path);
}

/// <summary>What a filter may be: its size and its nesting are bounded before anything recurses over it.</summary>
public static class Cql2Limits
{
    /// <summary>Characters of a filter (a URL carries far less; a longer one is refused before it is read).</summary>
    public const int MaxLength = 64 * 1024;
    /// <summary>Nesting of parentheses, operators and function arguments.</summary>
    public const int MaxDepth = 64;
    /// <summary>Nodes in the tree, i.e. about as many SQL parameters at most.</summary>
    public const int MaxNodes = 5_000;

    /// <summary>The functions and the number of arguments each takes (min, max).</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Functions = new Dictionary<string, (int, int)>
    {
        ["s_intersects"] = (2, 2), ["s_disjoint"] = (2, 2), ["s_equals"] = (2, 2), ["s_touches"] = (2, 2), ["s_within"] = (2, 2),
        ["s_contains"] = (2, 2), ["s_crosses"] = (2, 2), ["s_overlaps"] = (2, 2), ["s_dwithin"] = (3, 3),
        ["t_after"] = (2, 2), ["t_before"] = (2, 2), ["t_contains"] = (2, 2), ["t_disjoint"] = (2, 2), ["t_during"] = (2, 2),
        ["t_equals"] = (2, 2), ["t_finishedby"] = (2, 2), ["t_finishes"] = (2, 2), ["t_intersects"] = (2, 2), ["t_meets"] = (2, 2),
        ["t_metby"] = (2, 2), ["t_overlappedby"] = (2, 2), ["t_overlaps"] = (2, 2), ["t_startedby"] = (2, 2), ["t_starts"] = (2, 2),
        ["casei"] = (1, 1), ["accenti"] = (1, 1),
    };
}
