using System.Globalization;
using System.Text;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.OData;

/// <summary>What one OData request reads from an entity set. Top null: every row (paged); SkipToken: rows after that key.</summary>
public sealed record ODataQuery(
    FilterClause? Filter,
    OrderByClause? OrderBy,
    IReadOnlyList<ODataField> Select,
    long? Top,
    long Skip,
    object? SkipToken);

/// <summary>
/// Translates OData's parsed $filter and $orderby trees into SQL over one layer. Identifiers come only from the model
/// (which comes from the registry), every literal is a parameter, and the operations a client controls are written
/// so that PostgreSQL does not fail on a row halfway through a response: a division by a column that is zero gives
/// null (the row does not match), a substring's length never goes negative, positions are clamped to int.
/// </summary>
public sealed class ODataSql
{
    /// <summary>More nodes than this in $filter or $orderby is refused: it is no query a person writes.</summary>
    public const int MaxNodes = 100;

    public static readonly string[] Functions =
        ["contains", "startswith", "endswith", "length", "indexof", "substring", "tolower", "toupper", "trim", "concat", "year", "month", "day", "round", "floor", "ceiling"];

    private readonly ODataSet _set;
    private readonly NpgsqlCommand _cmd;
    private int _nodes;
    /// <summary>The query option being translated, named in errors.</summary>
    private string _option = "$filter";

    private ODataSql(ODataSet set, NpgsqlCommand cmd)
    {
        _set = set;
        _cmd = cmd;
    }

    private static string Q(string id) => LayerDefinition.Quote(id);

    /// <summary>One row per entity: column 0 the JSON object of the selected fields, column 1 the key (for $skiptoken).</summary>
    public static NpgsqlCommand Page(NpgsqlConnection conn, ODataSet set, ODataQuery q, int limit)
    {
        var cmd = conn.CreateCommand();
        var sql = new ODataSql(set, cmd);
        var where = sql.Where(q.Filter, q.SkipToken);
        var order = sql.Order(q.OrderBy);
        // page first, serialise after: PostgreSQL would otherwise build the JSON (and WKT) of every row OFFSET skips
        cmd.CommandText = $"SELECT '{{' || {Object(q.Select)} || '}}', t.{Q(set.Layer.KeyColumn)} FROM " +
                          $"(SELECT t.* FROM {set.Layer.QualifiedTable} t{where} ORDER BY {order} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}" +
                          (q.Skip > 0 ? $" OFFSET {q.Skip.ToString(CultureInfo.InvariantCulture)}" : "") +
                          $") t ORDER BY {order}";
        return cmd;
    }

    /// <summary>The number of entities $filter selects (for $count=true and /$count).</summary>
    public static NpgsqlCommand Count(NpgsqlConnection conn, ODataSet set, FilterClause? filter)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {set.Layer.QualifiedTable} t{new ODataSql(set, cmd).Where(filter, null)}";
        return cmd;
    }

    /// <summary>The members of one entity (without braces), found by its key.</summary>
    public static NpgsqlCommand Entity(NpgsqlConnection conn, ODataSet set, object key, IReadOnlyList<ODataField> select)
    {
        var cmd = conn.CreateCommand();
        cmd.Parameters.Add(new NpgsqlParameter("key", LayerSql.DbType(set.Layer.KeyProperty)) { Value = key });
        cmd.CommandText = $"SELECT {Object(select)} FROM {set.Layer.QualifiedTable} t WHERE t.{Q(set.Layer.KeyColumn)} = @key";
        return cmd;
    }

    /// <summary>The members "Name":value of the fields, as JSON text built by concatenation (no reparse, no argument limit).</summary>
    private static string Object(IReadOnlyList<ODataField> fields) =>
        string.Join(" || ", fields.Select((f, i) => $"'{(i == 0 ? "" : ",")}\"{f.Name}\":' || COALESCE(to_json({f.Sql})::text, 'null')"));

    private string Where(FilterClause? filter, object? skipToken)
    {
        _option = "$filter";
        var conditions = new List<string>();
        // under a not, comparisons with null are false (OData), not unknown (SQL): see Known
        if (filter is not null) conditions.Add(Value(filter.Expression, negated: false));
        if (skipToken is { } after)
        {
            _cmd.Parameters.Add(new NpgsqlParameter("after", LayerSql.DbType(_set.Layer.KeyProperty)) { Value = after });
            conditions.Add($"t.{Q(_set.Layer.KeyColumn)} > @after");
        }
        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }

    /// <summary>$orderby, then the key, so that pages never overlap.</summary>
    private string Order(OrderByClause? clause)
    {
        _option = "$orderby";
        var parts = new List<string>();
        for (var c = clause; c is not null; c = c.ThenBy)
            parts.Add(Value(c.Expression, false) + (c.Direction == OrderByDirection.Descending ? " DESC" : ""));
        parts.Add($"t.{Q(_set.Layer.KeyColumn)}");
        return string.Join(", ", parts);
    }

    private ODataRequestException Invalid(string en, string es) => ODataRequestException.Invalid(_option, en, es);

    private ODataRequestException Unsupported(string what, string whatEs) => ODataRequestException.NotSupported(_option, what, whatEs);

    private string Value(QueryNode node, bool negated)
    {
        if (++_nodes > MaxNodes)
            throw Invalid($"the expression has more than {MaxNodes} operations", $"la expresión tiene más de {MaxNodes} operaciones");
        return node switch
        {
            ConstantNode c => Constant(c),
            ConvertNode c => Convert(c, negated),
            SingleValuePropertyAccessNode p => (_set.Field(p.Property.Name) ?? throw Invalid($"unknown property '{p.Property.Name}'", $"propiedad desconocida '{p.Property.Name}'")).Sql,
            BinaryOperatorNode b => Binary(b, negated),
            UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } u => $"(NOT {Value(u.Operand, negated: true)})",
            UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Negate } u => $"(-{Value(u.Operand, negated)})",
            SingleValueFunctionCallNode f => Function(f, negated),
            InNode i => In(i, negated),
            _ => throw Unsupported($"the expression '{node.Kind}'", $"la expresión '{node.Kind}'"),
        };
    }

    private string Constant(ConstantNode c)
    {
        // a number written without exponent is an Edm.Decimal literal: past decimal's range it is refused, not rounded
        if (c.Value is double or float && c.LiteralText is { } text && !text.Contains('e', StringComparison.OrdinalIgnoreCase) &&
            System.Convert.ToDouble(c.Value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) && Math.Abs(d) > (double)decimal.MaxValue)
            throw Invalid($"the number {text} is out of range for Edm.Decimal; write it with an exponent (e.g. 1e38) to compare as Edm.Double",
                $"el número {text} está fuera del rango de Edm.Decimal; escríbalo con exponente (p. ej. 1e38) para compararlo como Edm.Double");
        return Parameter(c.Value, c.TypeReference);
    }

    private string Parameter(object? value, IEdmTypeReference? type)
    {
        var (dbType, v) = value switch
        {
            null => (DbType(type), (object)DBNull.Value),
            string s => (NpgsqlDbType.Text, s),
            bool b => (NpgsqlDbType.Boolean, b),
            byte or sbyte or short => (NpgsqlDbType.Smallint, System.Convert.ToInt16(value, CultureInfo.InvariantCulture)),
            int i => (NpgsqlDbType.Integer, i),
            long l => (NpgsqlDbType.Bigint, l),
            float f => (NpgsqlDbType.Real, f),
            double d => (NpgsqlDbType.Double, d),
            decimal m => (NpgsqlDbType.Numeric, m),
            Date d => (NpgsqlDbType.Date, new DateOnly(d.Year, d.Month, d.Day)),
            DateTimeOffset t => (NpgsqlDbType.TimestampTz, t.UtcDateTime),
            TimeOfDay t => (NpgsqlDbType.Time, new TimeSpan(t.Ticks)),
            Guid g => (NpgsqlDbType.Uuid, g),
            _ => throw Unsupported($"a literal of type {type?.FullName() ?? value.GetType().Name}", $"un literal de tipo {type?.FullName() ?? value.GetType().Name}"),
        };
        var name = "p" + _cmd.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        _cmd.Parameters.Add(new NpgsqlParameter(name, dbType) { Value = v });
        return "@" + name;
    }

    private static NpgsqlDbType DbType(IEdmTypeReference? type) => type?.PrimitiveKind() switch
    {
        EdmPrimitiveTypeKind.Boolean => NpgsqlDbType.Boolean,
        EdmPrimitiveTypeKind.Byte or EdmPrimitiveTypeKind.SByte or EdmPrimitiveTypeKind.Int16 => NpgsqlDbType.Smallint,
        EdmPrimitiveTypeKind.Int32 => NpgsqlDbType.Integer,
        EdmPrimitiveTypeKind.Int64 => NpgsqlDbType.Bigint,
        EdmPrimitiveTypeKind.Single => NpgsqlDbType.Real,
        EdmPrimitiveTypeKind.Double => NpgsqlDbType.Double,
        EdmPrimitiveTypeKind.Decimal => NpgsqlDbType.Numeric,
        EdmPrimitiveTypeKind.Date => NpgsqlDbType.Date,
        EdmPrimitiveTypeKind.DateTimeOffset => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Text,
    };

    private static string SqlType(IEdmTypeReference type) => DbType(type) switch
    {
        NpgsqlDbType.Boolean => "boolean",
        NpgsqlDbType.Smallint => "smallint",
        NpgsqlDbType.Integer => "integer",
        NpgsqlDbType.Bigint => "bigint",
        NpgsqlDbType.Real => "real",
        NpgsqlDbType.Double => "double precision",
        NpgsqlDbType.Numeric => "numeric",
        NpgsqlDbType.Date => "date",
        NpgsqlDbType.TimestampTz => "timestamptz",
        _ => "text",
    };

    /// <summary>ODataLib's type promotions (Int32 literal against an Int64 property, Int64 against Double …) become casts.</summary>
    private string Convert(ConvertNode c, bool negated)
    {
        if (c.Source.TypeReference is null) return $"NULL::{SqlType(c.TypeReference)}";
        var source = Value(c.Source, negated);
        return DbType(c.Source.TypeReference) == DbType(c.TypeReference) ? source : $"({source})::{SqlType(c.TypeReference)}";
    }

    private static ConstantNode? AsConstant(QueryNode node) => node switch
    {
        ConstantNode c => c,
        ConvertNode c => AsConstant(c.Source),
        _ => null,
    };

    private static bool IsNull(QueryNode node) => AsConstant(node) is { Value: null };

    private static bool IsZero(QueryNode node) => AsConstant(node)?.Value is { } v && v is not (string or bool) &&
        v is IConvertible && System.Convert.ToDouble(v, CultureInfo.InvariantCulture) == 0;

    private static bool IsNumeric(IEdmTypeReference? t) => t?.PrimitiveKind() is EdmPrimitiveTypeKind.Byte or EdmPrimitiveTypeKind.SByte or
        EdmPrimitiveTypeKind.Int16 or EdmPrimitiveTypeKind.Int32 or EdmPrimitiveTypeKind.Int64 or EdmPrimitiveTypeKind.Single or
        EdmPrimitiveTypeKind.Double or EdmPrimitiveTypeKind.Decimal;

    private string Binary(BinaryOperatorNode b, bool negated)
    {
        switch (b.OperatorKind)
        {
            case BinaryOperatorKind.And: return $"({Value(b.Left, negated)} AND {Value(b.Right, negated)})";
            case BinaryOperatorKind.Or: return $"({Value(b.Left, negated)} OR {Value(b.Right, negated)})";
            case BinaryOperatorKind.Equal or BinaryOperatorKind.NotEqual: return Equality(b, negated);
            case BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual:
                // a comparison with null is false in OData
                if (IsNull(b.Left) || IsNull(b.Right)) return "false";
                var op = b.OperatorKind switch
                {
                    BinaryOperatorKind.GreaterThan => ">",
                    BinaryOperatorKind.GreaterThanOrEqual => ">=",
                    BinaryOperatorKind.LessThan => "<",
                    _ => "<=",
                };
                return Known($"({Value(b.Left, negated)} {op} {Value(b.Right, negated)})", negated);
        }
        var type = b.Left.TypeReference ?? b.Right.TypeReference;
        if (!IsNumeric(type))
            throw Unsupported($"arithmetic on {type?.FullName() ?? "null"}", $"la aritmética sobre {type?.FullName() ?? "null"}");
        var (l, r) = (Value(b.Left, negated), Value(b.Right, negated));
        switch (b.OperatorKind)
        {
            case BinaryOperatorKind.Add: return $"({l} + {r})";
            case BinaryOperatorKind.Subtract: return $"({l} - {r})";
            case BinaryOperatorKind.Multiply: return $"({l} * {r})";
            case BinaryOperatorKind.Divide or BinaryOperatorKind.Modulo:
                if (IsZero(b.Right))
                    throw Invalid($"division by zero ({(b.OperatorKind == BinaryOperatorKind.Divide ? "div" : "mod")} 0)",
                        $"división entre cero ({(b.OperatorKind == BinaryOperatorKind.Divide ? "div" : "mod")} 0)");
                // a divisor that is zero on some row gives null there: the row does not match, the response does not break
                if (b.OperatorKind == BinaryOperatorKind.Divide) return $"({l} / NULLIF({r}, 0))";
                return type!.PrimitiveKind() is EdmPrimitiveTypeKind.Double or EdmPrimitiveTypeKind.Single
                    ? $"(mod(({l})::numeric, NULLIF(({r})::numeric, 0))::{SqlType(type)})"
                    : $"({l} % NULLIF({r}, 0))";
            default:
                throw Unsupported($"the operator '{b.OperatorKind}'", $"el operador '{b.OperatorKind}'");
        }
    }

    /// <summary>Under a not, a comparison that SQL leaves unknown (a null operand) counts as false, as OData says.</summary>
    private static string Known(string comparison, bool negated) => negated ? $"COALESCE({comparison}, false)" : comparison;

    /// <summary>eq / ne with OData's null semantics: null eq null is true, a value ne null is true.</summary>
    private string Equality(BinaryOperatorNode b, bool negated)
    {
        var eq = b.OperatorKind == BinaryOperatorKind.Equal;
        if (IsNull(b.Left) || IsNull(b.Right))
        {
            if (IsNull(b.Left) && IsNull(b.Right)) return eq ? "true" : "false";
            var other = Value(IsNull(b.Right) ? b.Left : b.Right, negated);
            return $"({other} IS {(eq ? "" : "NOT ")}NULL)";
        }
        var (l, r) = (Value(b.Left, negated), Value(b.Right, negated));
        // against a literal, = keeps the column's index usable
        if (eq && (AsConstant(b.Left) is not null || AsConstant(b.Right) is not null)) return Known($"({l} = {r})", negated);
        return $"({l} IS {(eq ? "NOT " : "")}DISTINCT FROM {r})";
    }

    private string In(InNode node, bool negated)
    {
        if (node.Right is not CollectionConstantNode list)
            throw Unsupported("'in' with anything but a list of literals", "'in' con algo que no sea una lista de literales");
        var items = list.Collection.Where(c => c.Value is not null).Select(Constant).ToList();
        if (items.Count == 0) return "false";
        return Known($"({Value(node.Left, negated)} IN ({string.Join(", ", items)}))", negated);
    }

    /// <summary>A whole number for a position or length: PostgreSQL's substr takes int, and a bigint past its range would fail.</summary>
    private static string IntArg(string sql) => $"LEAST(GREATEST(({sql})::bigint, -2147483647), 2147483646)::int";

    private string Function(SingleValueFunctionCallNode f, bool negated)
    {
        var args = f.Parameters.Select(p => Value(p, negated)).ToList();
        string Arity(int n, string sql) => args.Count == n ? sql
            : throw Invalid($"{f.Name} takes {n} argument(s)", $"{f.Name} recibe {n} argumento(s)");
        return f.Name switch
        {
            "contains" => Arity(2, $"(strpos({args[0]}, {args[1]}) > 0)"),
            "startswith" => Arity(2, $"starts_with({args[0]}, {args[1]})"),
            "endswith" => Arity(2, $"(right({args[0]}, length({args[1]})) = {args[1]})"),
            "length" => Arity(1, $"length({args[0]})"),
            "indexof" => Arity(2, $"(strpos({args[0]}, {args[1]}) - 1)"),
            "substring" when args.Count == 2 => $"substr({args[0]}, {IntArg($"({args[1]})::bigint + 1")})",
            "substring" => Arity(3, $"substr({args[0]}, {IntArg($"({args[1]})::bigint + 1")}, GREATEST({IntArg(args[2])}, 0))"),
            "tolower" => Arity(1, $"lower({args[0]})"),
            "toupper" => Arity(1, $"upper({args[0]})"),
            "trim" => Arity(1, $"btrim({args[0]})"),
            "concat" => Arity(2, $"({args[0]} || {args[1]})"),
            "year" or "month" or "day" when (f.Parameters.First() as SingleValueNode)?.TypeReference?.PrimitiveKind() is EdmPrimitiveTypeKind.Date or EdmPrimitiveTypeKind.DateTimeOffset =>
                Arity(1, $"extract({f.Name} FROM {args[0]})::integer"),
            // half away from zero, as OData rounds (PostgreSQL's round of a double rounds half to even)
            "round" => Arity(1, $"round(({args[0]})::numeric)::{SqlType(f.TypeReference)}"),
            "floor" => Arity(1, $"floor({args[0]})"),
            "ceiling" => Arity(1, $"ceiling({args[0]})"),
            _ => throw Unsupported($"the function {f.Name} (supported: {string.Join(", ", Functions)})",
                $"la función {f.Name} (se admiten: {string.Join(", ", Functions)})"),
        };
    }
}
