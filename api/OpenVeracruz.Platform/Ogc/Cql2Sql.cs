using System.Globalization;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// Translates a CQL2 tree into a parameterised SQL condition over a layer's public columns (alias <c>t</c>). Every value is
/// a parameter; every identifier is a queryable of the layer (its public properties and its geometry), quoted from the
/// registry, never from the filter; operators and functions come from fixed tables. Types are checked before any SQL runs:
/// text compares with text, numbers with numbers, dates and timestamps with each other (a date as midnight UTC), and a
/// string compared with a date property is read as a date; anything else is a 400 naming the property and the types.
/// </summary>
public sealed class Cql2Sql
{
    public enum Kind { Text, Number, Boolean, Date, Timestamp, Geometry }

    private readonly LayerDefinition _layer;
    private readonly Crs _crs;
    private readonly NpgsqlCommand _cmd;
    private int _n;

    private Cql2Sql(LayerDefinition layer, Crs filterCrs, NpgsqlCommand cmd)
    {
        _layer = layer;
        _crs = filterCrs;
        _cmd = cmd;
    }

    /// <summary>The names a filter may use: the public properties and the geometry (its column and "geometry").</summary>
    public static bool IsGeometryName(LayerDefinition layer, string name) =>
        layer.Properties.All(p => p.Name != name) && (name == layer.GeometryColumn || name == "geometry");

    /// <summary>Resolves every property and checks every type without touching a database: a filter that fails here is a 400.</summary>
    public static void Check(LayerDefinition layer, Crs filterCrs, Cql2Expr filter)
    {
        using var cmd = new NpgsqlCommand();
        Condition(layer, filterCrs, filter, cmd);
    }

    /// <summary>The condition, its parameters added to the command.</summary>
    public static string Condition(LayerDefinition layer, Crs filterCrs, Cql2Expr filter, NpgsqlCommand cmd)
    {
        var s = new Cql2Sql(layer, filterCrs, cmd);
        var (sql, kind) = s.Compile(filter);
        if (kind != Kind.Boolean) throw Bad(filter, "the filter is not a condition (true or false)", "el filtro no es una condición (verdadera o falsa)");
        return sql;
    }

    private static string Where(Cql2Expr e) => e.At >= 0 ? $"character {e.At}" : "its JSON";
    private static string WhereEs(Cql2Expr e) => e.At >= 0 ? $"el carácter {e.At}" : "su JSON";

    private static Cql2Exception Bad(Cql2Expr e, string en, string es) =>
        new($"Invalid filter at {Where(e)}: {en}", $"Filtro inválido en {WhereEs(e)}: {es}", e.At.ToString(CultureInfo.InvariantCulture));

    private static string Name(Kind k) => k switch
    {
        Kind.Text => "text", Kind.Number => "a number", Kind.Boolean => "a condition", Kind.Date => "a date", Kind.Timestamp => "a timestamp", _ => "a geometry",
    };

    private static string NameEs(Kind k) => k switch
    {
        Kind.Text => "texto", Kind.Number => "un número", Kind.Boolean => "una condición", Kind.Date => "una fecha", Kind.Timestamp => "un instante", _ => "una geometría",
    };

    private string Param(object value, NpgsqlDbType? type = null)
    {
        var name = "c" + (_n++).ToString(CultureInfo.InvariantCulture);
        _cmd.Parameters.Add(type is { } t ? new NpgsqlParameter(name, t) { Value = value } : new NpgsqlParameter(name, value));
        return "@" + name;
    }

    private (string Sql, Kind Kind) Compile(Cql2Expr e) => e switch
    {
        Cql2Property p => Property(p),
        Cql2Literal l => Literal(l),
        Cql2Geometry g => (Geometry(g), Kind.Geometry),
        Cql2Op op => Op(op),
        Cql2Interval => throw Bad(e, "an INTERVAL is only an argument of a T_ function", "un INTERVAL sólo es argumento de una función T_"),
        _ => throw Bad(e, "a list is only the right side of IN", "una lista sólo es el lado derecho de IN"),
    };

    private (string, Kind) Property(Cql2Property p)
    {
        var prop = _layer.Properties.FirstOrDefault(x => x.Name == p.Name);
        if (prop is not null)
            return ("t." + LayerDefinition.Quote(prop.Name), prop.Type switch { "integer" or "number" => Kind.Number, "date" => Kind.Date, _ => Kind.Text });
        if (IsGeometryName(_layer, p.Name)) return ("t." + LayerDefinition.Quote(_layer.GeometryColumn), Kind.Geometry);
        var name = p.Name.Length > 60 ? p.Name[..60] + "…" : p.Name;
        throw new Cql2Exception(
            $"Invalid filter at {Where(p)}: '{name}' is not a queryable of '{_layer.Id}'; the queryables are {string.Join(", ", _layer.Properties.Select(x => x.Name).Append(_layer.GeometryColumn))}",
            $"Filtro inválido en {WhereEs(p)}: '{name}' no es una propiedad consultable de '{_layer.Id}'; las consultables son {string.Join(", ", _layer.Properties.Select(x => x.Name).Append(_layer.GeometryColumn))}",
            p.At.ToString(CultureInfo.InvariantCulture));
    }

    private (string, Kind) Literal(Cql2Literal l) => l.Kind switch
    {
        Cql2LiteralKind.Text => (Param(l.Value!, NpgsqlDbType.Text), Kind.Text),
        Cql2LiteralKind.Number => (Param(l.Value!, NpgsqlDbType.Double), Kind.Number),
        Cql2LiteralKind.Boolean => ((bool)l.Value! ? "TRUE" : "FALSE", Kind.Boolean),
        Cql2LiteralKind.Date => (Param(l.Value!, NpgsqlDbType.Date), Kind.Date),
        Cql2LiteralKind.Timestamp => (Param(l.Value!, NpgsqlDbType.Timestamp), Kind.Timestamp),
        _ => throw Bad(l, "'..' is only an end of an INTERVAL", "'..' sólo es un extremo de un INTERVAL"),
    };

    /// <summary>A geometry literal in the storage CRS: coordinates in the filter CRS's axis order, checked against its domain.</summary>
    private string Geometry(Cql2Geometry g)
    {
        var geom = g.Value.Copy();
        var domain = _crs.Domain;
        foreach (var c in geom.Coordinates)
        {
            if (_crs.LatLonOrder) (c.X, c.Y) = (c.Y, c.X);
            if (c.X < domain.MinX || c.X > domain.MaxX || c.Y < domain.MinY || c.Y > domain.MaxY)
                throw Bad(g, $"the position ({c.X.ToString(CultureInfo.InvariantCulture)} {c.Y.ToString(CultureInfo.InvariantCulture)}) is outside {_crs.Uri}'s domain" +
                             (_crs.LatLonOrder ? " (EPSG:4326 is latitude first)" : ""),
                    $"la posición ({c.X.ToString(CultureInfo.InvariantCulture)} {c.Y.ToString(CultureInfo.InvariantCulture)}) está fuera del dominio de {_crs.Uri}" +
                    (_crs.LatLonOrder ? " (EPSG:4326 va con la latitud primero)" : ""));
        }
        geom.GeometryChanged();
        geom.SRID = _crs.Srid;
        var p = Param(geom);
        return _crs.Srid == _layer.StorageSrid ? p : $"ST_Transform({p}, {_layer.StorageSrid.ToString(CultureInfo.InvariantCulture)})";
    }

    private (string, Kind) Op(Cql2Op op)
    {
        var a = op.Args;
        switch (op.Op)
        {
            case "and" or "or":
                return ("(" + string.Join(op.Op == "and" ? " AND " : " OR ", a.Select(x => Boolean(x))) + ")", Kind.Boolean);
            case "not": return ($"(NOT {Boolean(a[0])})", Kind.Boolean);
            case "=" or "<>" or "<" or "<=" or ">" or ">=":
            {
                var (l, r, _) = Comparable(op, a[0], a[1]);
                return ($"({l} {op.Op} {r})", Kind.Boolean);
            }
            case "like":
            {
                var l = Typed(a[0], Kind.Text, "LIKE");
                var r = Typed(a[1], Kind.Text, "LIKE");
                return ($"({l} LIKE {r})", Kind.Boolean);
            }
            case "between":
            {
                var (v, lo, kind) = Comparable(op, a[0], a[1]);
                var (_, hi, _) = Comparable(op, a[0], a[2]);
                if (kind is not (Kind.Number or Kind.Date or Kind.Timestamp or Kind.Text))
                    throw Bad(op, "BETWEEN compares numbers, dates or text", "BETWEEN compara números, fechas o texto");
                return ($"({v} BETWEEN {lo} AND {hi})", Kind.Boolean);
            }
            case "in":
            {
                var items = ((Cql2List)a[1]).Items;
                if (items.Count == 0) throw Bad(op, "the list of IN is empty", "la lista de IN está vacía");
                string left = "";
                var rights = new List<string>();
                foreach (var item in items)
                {
                    var (l, r, _) = Comparable(op, a[0], item, left == "" ? null : left);
                    left = l;
                    rights.Add(r);
                }
                return ($"({left} IN ({string.Join(", ", rights)}))", Kind.Boolean);
            }
            case "isNull":
            {
                var (v, _) = Compile(a[0]);
                return ($"({v} IS NULL)", Kind.Boolean);
            }
            case "+" or "-" or "*":
                return ($"({Typed(a[0], Kind.Number, op.Op)} {op.Op} {Typed(a[1], Kind.Number, op.Op)})", Kind.Number);
            // a division by zero is null (the row is left out), as in the OData door
            case "/":
                return ($"({Typed(a[0], Kind.Number, "/")} / NULLIF({Typed(a[1], Kind.Number, "/")}, 0))", Kind.Number);
            case "%":
                return ($"mod(({Typed(a[0], Kind.Number, "%")})::numeric, NULLIF(({Typed(a[1], Kind.Number, "%")})::numeric, 0))::double precision", Kind.Number);
            case "div":
                return ($"div(({Typed(a[0], Kind.Number, "div")})::numeric, NULLIF(({Typed(a[1], Kind.Number, "div")})::numeric, 0))::double precision", Kind.Number);
            case "^":
                return ($"power({Typed(a[0], Kind.Number, "^")}, {Typed(a[1], Kind.Number, "^")})", Kind.Number);
            case "casei": return ($"lower({Typed(a[0], Kind.Text, "CASEI")})", Kind.Text);
            case "accenti": return ($"unaccent({Typed(a[0], Kind.Text, "ACCENTI")})", Kind.Text);
            case "s_dwithin":
            {
                var g1 = Typed(a[0], Kind.Geometry, "S_DWITHIN");
                var g2 = Typed(a[1], Kind.Geometry, "S_DWITHIN");
                var d = Typed(a[2], Kind.Number, "S_DWITHIN");
                // metres on the ellipsoid; the first test lets the geometry's GiST index find the candidates
                return ($"({g1} && ST_Envelope(ST_Buffer(({g2})::geography, ({d}) * 1.01 + 1)::geometry) AND ST_DWithin(({g1})::geography, ({g2})::geography, {d}))", Kind.Boolean);
            }
        }
        if (op.Op.StartsWith("s_", StringComparison.Ordinal))
        {
            var fn = op.Op switch
            {
                "s_intersects" => "ST_Intersects", "s_disjoint" => "ST_Disjoint", "s_equals" => "ST_Equals", "s_touches" => "ST_Touches",
                "s_within" => "ST_Within", "s_contains" => "ST_Contains", "s_crosses" => "ST_Crosses", _ => "ST_Overlaps",
            };
            var name = op.Op.ToUpperInvariant();
            return ($"{fn}({Typed(a[0], Kind.Geometry, name)}, {Typed(a[1], Kind.Geometry, name)})", Kind.Boolean);
        }
        return (Temporal(op), Kind.Boolean);
    }

    private string Boolean(Cql2Expr e) => Typed(e, Kind.Boolean, "AND/OR/NOT");

    private string Typed(Cql2Expr e, Kind want, string what)
    {
        var (sql, kind) = Compile(e);
        if (kind != want)
            throw Bad(e, $"{what} takes {Name(want)} here, not {Name(kind)}{Named(e)}", $"{what} recibe aquí {NameEs(want)}, no {NameEs(kind)}{Named(e)}");
        return sql;
    }

    private static string Named(Cql2Expr e) => e is Cql2Property p ? $" ('{(p.Name.Length > 60 ? p.Name[..60] : p.Name)}')" : "";

    /// <summary>Both sides of a comparison, made comparable: a string against a date is read as a date, a date against a timestamp is midnight UTC.</summary>
    private (string Left, string Right, Kind Kind) Comparable(Cql2Op op, Cql2Expr left, Cql2Expr right, string? leftSql = null)
    {
        var (l, lk) = leftSql is null ? Compile(left) : (leftSql, Compile(left).Kind);
        if (lk == Kind.Date && right is Cql2Literal { Kind: Cql2LiteralKind.Text } s)
            right = Cql2Instants.Parse((string)s.Value!, null, s.At >= 0 ? Cql2Where.Char(s.At) : Cql2Where.Path("its JSON"), s.At);
        var (r, rk) = Compile(right);
        if (lk == Kind.Geometry || rk == Kind.Geometry)
            throw Bad(op, "geometries are compared with the S_ functions (S_EQUALS, S_INTERSECTS, …)", "las geometrías se comparan con las funciones S_ (S_EQUALS, S_INTERSECTS, …)");
        if (lk == rk) return (l, r, lk);
        if (lk is Kind.Date or Kind.Timestamp && rk is Kind.Date or Kind.Timestamp)
            return (lk == Kind.Date ? $"({l})::timestamp" : l, rk == Kind.Date ? $"({r})::timestamp" : r, Kind.Timestamp);
        throw Bad(op, $"cannot compare {Name(lk)}{Named(left)} with {Name(rk)}{Named(right)}", $"no se puede comparar {NameEs(lk)}{Named(left)} con {NameEs(rk)}{Named(right)}");
    }

    /// <summary>An instant or an interval as (start, end); dates become timestamps when the other side has a time of day.</summary>
    private (string Start, string End, Kind Kind) Period(Cql2Expr e, string fn)
    {
        if (e is Cql2Interval iv)
        {
            var s = IntervalEnd(iv.Start, fn);
            var t = IntervalEnd(iv.End, fn);
            var kind = s.Kind == Kind.Timestamp || t.Kind == Kind.Timestamp ? Kind.Timestamp : Kind.Date;
            return (Cast(s, kind, "-infinity"), Cast(t, kind, "infinity"), kind);
        }
        var (sql, k) = Compile(e);
        if (k is not (Kind.Date or Kind.Timestamp))
            throw Bad(e, $"{fn} takes dates, timestamps or intervals, not {Name(k)}{Named(e)}", $"{fn} recibe fechas, instantes o intervalos, no {NameEs(k)}{Named(e)}");
        return (sql, sql, k);
    }

    private (string? Sql, Kind Kind) IntervalEnd(Cql2Expr e, string fn)
    {
        if (e is Cql2Literal { Kind: Cql2LiteralKind.Unbounded }) return (null, Kind.Date);
        var (sql, _, k) = Period(e, fn);
        return (sql, k);
    }

    private static string Cast((string? Sql, Kind Kind) end, Kind kind, string infinity) =>
        end.Sql is null ? $"'{infinity}'::{(kind == Kind.Date ? "date" : "timestamp")}"
        : end.Kind == kind ? end.Sql : $"({end.Sql})::timestamp";

    private static string AsTimestamp(string sql, Kind from) => from == Kind.Date ? $"({sql})::timestamp" : sql;

    private string Temporal(Cql2Op op)
    {
        var fn = op.Op.ToUpperInvariant();
        var a = Period(op.Args[0], fn);
        var b = Period(op.Args[1], fn);
        var (s1, e1, s2, e2) = a.Kind == b.Kind
            ? (a.Start, a.End, b.Start, b.End)
            : (AsTimestamp(a.Start, a.Kind), AsTimestamp(a.End, a.Kind), AsTimestamp(b.Start, b.Kind), AsTimestamp(b.End, b.Kind));
        // Allen's interval relations as CQL2 defines its temporal functions
        return "(" + op.Op switch
        {
            "t_after" => $"{s1} > {e2}",
            "t_before" => $"{e1} < {s2}",
            "t_contains" => $"{s1} < {s2} AND {e1} > {e2}",
            "t_disjoint" => $"NOT ({s1} <= {e2} AND {e1} >= {s2})",
            "t_during" => $"{s1} > {s2} AND {e1} < {e2}",
            "t_equals" => $"{s1} = {s2} AND {e1} = {e2}",
            "t_finishedby" => $"{s1} < {s2} AND {e1} = {e2}",
            "t_finishes" => $"{s1} > {s2} AND {e1} = {e2}",
            "t_intersects" => $"{s1} <= {e2} AND {e1} >= {s2}",
            "t_meets" => $"{e1} = {s2}",
            "t_metby" => $"{s1} = {e2}",
            "t_overlappedby" => $"{s1} > {s2} AND {s1} < {e2} AND {e1} > {e2}",
            "t_overlaps" => $"{s1} < {s2} AND {e1} > {s2} AND {e1} < {e2}",
            "t_startedby" => $"{s1} = {s2} AND {e1} > {e2}",
            "t_starts" => $"{s1} = {s2} AND {e1} < {e2}",
            _ => throw Bad(op, $"unknown function {fn}", $"función desconocida {fn}"),
        } + ")";
    }
}
